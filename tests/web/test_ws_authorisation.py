"""Every ``/ws`` message type, sent by every kind of principal, is authorised exactly like its
REST twin: the WebSocket is no side door past a check the HTTP API makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, STATION, Client, base_url
from tests.media.test_protocol import BROWSER_OFFER
from vclinic.media import signalling
from vclinic.server import gateway
from vclinic.server.run import Running

SESSION = "/api/v1/sessions/{sid}"

#: Each message type's REST twin (the request that shows or does the same for the caller), and
#: a well-formed payload for it. Sent in this order: entering first, leaving last.
TWINS: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    "ping": ("/api/v1/me", lambda sid: {}),
    "session.enter": (SESSION, lambda sid: {"session_id": sid}),
    "media.ice_servers": (SESSION, lambda sid: {"session_id": sid}),
    "media.state": (SESSION, lambda sid: {"session_id": sid, "audio_muted": False,
                                          "video_muted": True}),
    "media.candidate": (SESSION, lambda sid: {"session_id": sid, "candidate": None}),
    "media.offer": (SESSION, lambda sid: {"session_id": sid, "sdp": BROWSER_OFFER}),
    "media.answer": (SESSION, lambda sid: {"session_id": sid, "sdp": BROWSER_OFFER}),
    "on_demand.subscribe": ("/api/v1/on_demand/requests", lambda sid: {}),
    "virtual_clinic.watch": ("/api/v1/virtual-clinic/sessions", lambda sid: {}),
    "session.leave": (SESSION, lambda sid: {"session_id": sid}),
}

#: Error codes that mean "you may not", as opposed to "your request was wrong".
REFUSALS = {"forbidden", "unauthorized", "guest_forbidden", "not_invited", "access_denied",
            "not_in_session", "not_on_call", "sign_in_required", "removed", "not_chair",
            "workflow_disabled", "session_not_found", "not_found"}


def every_message_type(node: Running) -> set[str]:
    core = {**gateway.BUILTIN_HANDLERS, **signalling.HANDLERS}
    return {*core, *node.context.plugins.ws_handlers(reserved=core)}


async def test_every_ws_message_is_authorised_like_its_rest_twin(node: Running) -> None:
    assert set(TWINS) == every_message_type(node), "a /ws message type has no REST twin here"
    base = base_url(node)
    chair = Client(base)
    assert (await chair.signin(PROVIDER)).status_code == 200
    created = await chair.request("POST", "/api/v1/sessions", json={
        "name": "Follow-up", "access_level": "invitation", "confirm_link_reminder": True})
    assert created.status_code == 201, created.text
    sid = created.json()["session"]["id"]
    guest = Client(base)
    assert (await guest.request("GET", created.json()["links"]["guest"]["path"])
            ).status_code == 303
    assert (await guest.request("POST", "/api/v1/join", json={"display_name": "Pat"})
            ).status_code == 200
    principals = {"chair": chair, "guest": guest}
    for name, email in (("admin", ADMIN), ("colleague", PROVIDER_2), ("station", STATION)):
        principals[name] = Client(base)
        assert (await principals[name].signin(email)).status_code == 200

    mismatches = []
    try:
        for name, client in principals.items():
            async with client.ws() as ws:
                await ws.next_event("hello")
                for kind, (path, payload) in TWINS.items():
                    rest = await client.request("GET", path.format(sid=sid))
                    assert rest.status_code in (200, 401, 403, 404), (name, path, rest.text)
                    answer = await ws.request(kind, payload(sid))
                    code = answer.get("error", {}).get("code")
                    ws_allowed = answer["type"] == "reply" or code not in REFUSALS
                    if ws_allowed != (rest.status_code == 200):
                        mismatches.append((name, kind, rest.status_code, code))
    finally:
        for client in principals.values():
            await client.aclose()
    assert mismatches == []


async def test_a_station_may_not_enter_an_invitation_session_it_is_not_on(node: Running) -> None:
    base = base_url(node)
    chair, station = Client(base), Client(base)
    try:
        await chair.signin(PROVIDER)
        await station.signin(STATION)
        created = await chair.request("POST", "/api/v1/sessions", json={
            "name": "Follow-up", "access_level": "invitation", "confirm_link_reminder": True})
        sid = created.json()["session"]["id"]
        assert (await station.request("GET", f"/api/v1/sessions/{sid}")).status_code == 403
        async with station.ws() as ws:
            answer = await ws.request("session.enter", {"session_id": sid})
        assert answer["type"] == "error" and answer["error"]["code"] == "not_invited"
        listed = (await chair.request("GET", f"/api/v1/sessions/{sid}")).json()
        assert [p["display_name"] for p in listed["participants"]] == ["Dr Ada Lovelace"]
    finally:
        await chair.aclose()
        await station.aclose()
