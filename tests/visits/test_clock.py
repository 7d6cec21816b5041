"""The link window with time driven by the node's clock (``services.clock``, a ManualClock
here): the link works at the scheduled end + 15 minutes exactly and not one second later,
through the API and /ws, for the employee and the client."""

from __future__ import annotations

import datetime as dt

from tests.fakes import Client
from tests.visits.home import API, Home, error, ok
from vclinic.api import ManualClock
from vclinic.server.run import Running

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)


async def _enter(who: Client, session_id: str) -> dict[str, object]:
    async with who.ws() as ws:
        reply: dict[str, object] = await ws.request("session.enter", {"session_id": session_id})
        return reply


async def test_the_link_expires_at_the_end_plus_fifteen_minutes_exactly(
        node: Running, home: Home) -> None:
    clock = ManualClock(START - dt.timedelta(minutes=30))
    node.context.clock = clock
    body = {"client_id": await home.client(), "employee_id": home.ada_id,
            "service_code_id": await home.code(), "starts_at": START.isoformat(),
            "ends_at": END.isoformat()}
    visit = ok(await home.admin.request("POST", API, json=body), 201)["visit"]
    assert visit["link_open"] is True
    link = ok(await home.post(home.ada, visit["id"], "invite-link"))["link"]
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    session_id = ok(await home.post(home.ada, visit["id"], "join"))["session_id"]
    client = Client(home.base)
    try:
        followed = await client.http.get(link.removeprefix(home.base))
        assert followed.status_code == 303, followed.text
        client.csrf = ok(await client.request("GET", "/api/v1/me"))["csrf_token"]

        clock.set(END + dt.timedelta(minutes=15))  # the last moment the link works
        assert ok(await home.post(home.ada, visit["id"], "join"))["session_id"] == session_id
        for who in (home.ada, client):
            entered = await _enter(who, session_id)
            assert entered["type"] == "reply", entered
        again = await client.http.get(link.removeprefix(home.base),
                                      headers={"Accept": "application/json"})
        assert again.status_code == 303, again.text

        clock.advance(dt.timedelta(seconds=1))  # one second too late
        shown = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
        assert shown["link_open"] is False
        assert error(await home.post(home.ada, visit["id"], "join"), 410)["code"] == (
            "link_expired")
        for who in (home.ada, client):
            entered = await _enter(who, session_id)
            assert entered["error"]["code"] == "link_expired", entered  # type: ignore[index]
        late = await client.http.get(link.removeprefix(home.base),
                                     headers={"Accept": "text/html"})
        assert late.status_code == 410 and "This link has expired." in late.text
    finally:
        await client.aclose()
