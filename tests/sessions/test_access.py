"""Access levels: who may join under each, and switching them live evicts exactly those who no
longer qualify."""

from __future__ import annotations

import pytest

from tests.fakes import ADMIN, PROVIDER_2
from tests.sessions.conftest import join_as_guest, provider, signed_in, start_session, user_id
from vclinic import accounts


async def removal_of(ws, participant_id: str) -> dict:
    """The next ``session.removed`` event about ``participant_id``."""
    while True:
        event = await ws.next_event("session.removed")
        if event["data"]["participant_id"] == participant_id:
            return event


@pytest.mark.parametrize(("access", "unlisted_ok", "guest_ok"), [
    ("private", False, False), ("internal", True, False), ("invitation", True, True)])
async def test_who_may_join_under_each_access_level(clients, access, unlisted_ok,
                                                    guest_ok) -> None:
    chair = await provider(clients)
    listed = await signed_in(clients, PROVIDER_2)
    unlisted = await signed_in(clients, ADMIN)
    created = await start_session(chair, access_level=access,
                                  participants=[{"user_id": await user_id(listed)}])
    sid = created["session"]["id"]
    async with listed.ws() as ws:
        assert (await ws.request("session.enter", {"session_id": sid}))["type"] == "reply"
    async with unlisted.ws() as ws:
        answer = await ws.request("session.enter", {"session_id": sid})
        assert (answer["type"] == "reply") is unlisted_ok
        if not unlisted_ok:
            assert answer["error"]["code"] == "not_invited"
    guest = clients()
    followed = await guest.request("GET", created["links"]["guest"]["path"])
    assert followed.status_code == 303
    info = (await guest.request("GET", "/api/v1/join")).json()
    assert info["sign_in_required"] is not guest_ok
    if not guest_ok:
        assert info["next"] == f"/signin?next=%2Fpreview%3Fsession%3D{sid}"
    joined = await guest.request("POST", "/api/v1/join", json={"display_name": "Pat"})
    assert (joined.status_code == 200) is guest_ok
    if not guest_ok:
        assert joined.json()["error"]["code"] == "sign_in_required"
        assert (await guest.request("GET", "/api/v1/me")).status_code == 401


async def test_someone_of_another_practice_joins_only_as_a_guest(node, clients) -> None:
    store = node.context.store
    await accounts.create_org(store, "Other Clinic")
    await accounts.create_user(store, "other-clinic", "dr.who@other.clinic",
                               "long-enough-1", "provider", "Dr Who")
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    outsider = clients()
    assert (await outsider.signin("dr.who@other.clinic", "long-enough-1")).status_code == 200
    assert (await outsider.request("GET", f"/api/v1/sessions/{sid}")).status_code == 404
    async with outsider.ws() as ws:
        answer = await ws.request("session.enter", {"session_id": sid})
        assert answer["error"]["code"] == "access_denied"
    assert (await outsider.request("GET", created["links"]["guest"]["path"])
            ).headers["location"] == "/join"


async def test_switching_invitation_internal_private_evicts_live(node, clients, media) -> None:
    chair = await provider(clients)
    listed = await signed_in(clients, PROVIDER_2)
    unlisted = await signed_in(clients, ADMIN)
    created = await start_session(chair, participants=[{"user_id": await user_id(listed)}])
    sid = created["session"]["id"]
    guest, joined = await join_as_guest(clients, created["links"]["guest"]["path"])
    async with chair.ws() as cws, listed.ws() as lws, unlisted.ws() as uws, guest.ws() as gws:
        ids = {}
        for name, ws in (("chair", cws), ("listed", lws), ("unlisted", uws), ("guest", gws)):
            ids[name] = (await ws.request("session.enter", {"session_id": sid})
                         )["data"]["you"]["id"]
        assert ids["guest"] == joined["participant_id"]

        to_internal = await chair.request("PATCH", f"/api/v1/sessions/{sid}",
                                          json={"access_level": "internal"})
        assert to_internal.status_code == 200, to_internal.text
        removed = await gws.next_event("session.removed")
        assert removed["data"] == {"participant_id": ids["guest"], "reason": "access_changed"}
        seen = await cws.next_event("session.removed")
        assert seen["data"]["participant_id"] == ids["guest"]
        assert ("remove_participant", sid, ids["guest"]) in media.calls
        assert (await guest.request("GET", "/api/v1/me")).status_code == 401

        to_private = await chair.request("PATCH", f"/api/v1/sessions/{sid}",
                                         json={"access_level": "private"})
        assert to_private.status_code == 200
        removed = await removal_of(uws, ids["unlisted"])
        assert removed["data"]["reason"] == "access_changed"
        await removal_of(cws, ids["unlisted"])
        assert ("remove_participant", sid, ids["unlisted"]) in media.calls

        detail = (await chair.request("GET", f"/api/v1/sessions/{sid}")).json()
        states = {p["id"]: p["state"] for p in detail["participants"]}
        assert states[ids["chair"]] == states[ids["listed"]] == "connected"
        assert states[ids["unlisted"]] == "left" and ids["guest"] not in states
        removals = [e for e in lws.events if e["type"] == "session.removed"]
        assert all(e["data"]["participant_id"] != ids["listed"] for e in removals)
        again = await uws.request("session.enter", {"session_id": sid})
        assert again["error"]["code"] == "not_invited"
