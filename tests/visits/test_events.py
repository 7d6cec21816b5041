"""Other plugins hear a visit's changes through ``vclinic_on_event``: ids and codes, in order,
never the client's name or email."""

from __future__ import annotations

from vclinic_visits import events as e

from tests.visits.home import Home, at, ok
from vclinic.api import SessionCreated, hookimpl
from vclinic.server.run import Running


class Listener:
    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self) -> None:
        self.heard: list[object] = []

    @hookimpl
    def vclinic_on_event(self, event: object) -> None:
        self.heard.append(event)


async def test_a_visits_changes_reach_listeners_as_ids(node: Running, home: Home) -> None:
    listener = Listener()
    node.context.plugins.register(listener, "listener")
    visit = await home.visit(email="cora@example.org")
    vid = visit["id"]
    invited = ok(await home.post(home.ada, vid, "invite"))
    session_id = invited["visit"]["session_id"]
    ok(await home.post(home.ada, vid, "clock-in"))
    ok(await home.admin.request("PATCH", f"/api/v1/visits/{vid}",
                                json={"starts_at": at(-5), "ends_at": at(55)}))
    ok(await home.post(home.ada, vid, "clock-out", {"confirm": True}))
    mine = [x for x in listener.heard if isinstance(x, e.VisitEvent | SessionCreated)]
    org_id = mine[0].org_id
    admin_id = mine[3].by  # type: ignore[union-attr]
    assert mine == [
        SessionCreated(session_id, org_id, "visits", home.ada_id),
        e.InviteSent(org_id, vid, home.ada_id, session_id, True),
        e.ClockedIn(org_id, vid, home.ada_id),
        e.VisitChanged(org_id, vid, admin_id, True, home.ada_id),
        e.SessionEnded(org_id, vid, home.ada_id, session_id, "clock_out"),
        e.ClockedOut(org_id, vid, home.ada_id),
    ]
    assert "Cora" not in repr(listener.heard) and "cora@" not in repr(listener.heard)
