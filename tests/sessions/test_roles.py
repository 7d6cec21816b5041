"""The role matrix through the API and the media grant: for each role, each action."""

from __future__ import annotations

import pytest

from tests.fakes import ADMIN, PROVIDER_2, Client
from tests.sessions.conftest import join_as_guest, provider, signed_in, start_session, user_id
from vclinic.server.run import Running
from vclinic.server.security import resolve_principal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def grant(node: Running, client: Client, session_id: str) -> tuple[bool, ...]:
    principal = await resolve_principal(node.context, client.cookie)
    g = await node.context.sessions.media_grant(session_id, principal)
    return g.permissions.audio, g.permissions.video, g.permissions.screen, g.permissions.subscribe


async def actions(client: Client, session_id: str, admin_id: str) -> dict[str, int]:
    """Try every chair-only action; returns each one's status code (close last)."""
    base = f"/api/v1/sessions/{session_id}"
    return {
        "add_participant": (await client.request("POST", f"{base}/participants", json={
            "participants": [{"user_id": admin_id}]})).status_code,
        "change_settings": (await client.request("PATCH", base, json={
            "name": "Renamed"})).status_code,
        "capture": (await client.request("POST", f"{base}/captures", content=PNG, headers={
            "Content-Type": "image/png"})).status_code,
        "close": (await client.request("POST", f"{base}/close")).status_code,
    }


@pytest.mark.parametrize("role", ["chair", "broadcaster", "viewer"])
async def test_role_matrix_for_participants_from_the_practice(node, clients, role) -> None:
    creator = await provider(clients)
    colleague = await signed_in(clients, PROVIDER_2)
    admin = await signed_in(clients, ADMIN)
    patient = (await creator.request("POST", "/api/v1/patients", json={
        "display_name": "Jane Doe"})).json()["patient"]
    created = await start_session(creator, patient_id=patient["id"], participants=[
        {"user_id": await user_id(colleague), "role": role}])
    sid = created["session"]["id"]
    async with colleague.ws() as ws:
        entered = await ws.request("session.enter", {"session_id": sid})
        assert entered["data"]["you"]["role"] == role
        publishes = role != "viewer"
        assert await grant(node, colleague, sid) == (publishes, publishes, publishes, True)
        assert entered["data"]["you"]["permissions"]["screen"] is publishes
        done = await actions(colleague, sid, await user_id(admin))
    if role == "chair":
        assert done == {"add_participant": 201, "change_settings": 200, "capture": 201,
                        "close": 200}
        files = (await creator.request("GET", f"/api/v1/patients/{patient['id']}/files")).json()
        assert len(files["files"]) == 1
    else:
        assert done == dict.fromkeys(done, 403)
        detail = (await creator.request("GET", f"/api/v1/sessions/{sid}")).json()
        assert detail["session"]["name"] != "Renamed"
        assert detail["session"]["status"] == "open"
        assert len(detail["participants"]) == 2
    _ = admin


async def test_guests_publish_like_broadcasters_and_can_do_nothing_else(node, clients) -> None:
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    guest, _ = await join_as_guest(clients, created["links"]["guest"]["path"])
    async with guest.ws() as ws:
        await ws.request("session.enter", {"session_id": sid})
        assert await grant(node, guest, sid) == (True, True, True, True)
        done = await actions(guest, sid, await user_id(chair))
    assert done == dict.fromkeys(done, 403)


async def test_chair_makes_a_guest_a_viewer_and_the_media_hears_at_once(node, clients,
                                                                        media) -> None:
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    guest, joined = await join_as_guest(clients, created["links"]["guest"]["path"])
    async with guest.ws() as ws:
        await ws.request("session.enter", {"session_id": sid})
        changed = await chair.request(
            "PATCH", f"/api/v1/sessions/{sid}/participants/{joined['participant_id']}",
            json={"role": "viewer"})
        assert changed.status_code == 200, changed.text
        event = await ws.next_event("session.participant_updated")
        assert event["data"]["participant"]["role"] == "viewer"
        call = media.calls[-1]
        assert call[:3] == ("set_permissions", sid, joined["participant_id"])
        assert (call[3].audio, call[3].video, call[3].screen) == (False, False, False)
        assert await grant(node, guest, sid) == (False, False, False, True)


async def test_media_grant_needs_the_session_entered(node, clients) -> None:
    chair = await provider(clients)
    sid = (await start_session(chair))["session"]["id"]
    principal = await resolve_principal(node.context, chair.cookie)
    from vclinic.errors import Forbidden

    with pytest.raises(Forbidden) as refused:
        await node.context.sessions.media_grant(sid, principal)
    assert refused.value.code == "not_in_session"
