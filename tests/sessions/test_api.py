"""The sessions API: Start a Session, colleagues' lists and notifications, About Patient,
appointments, reconnect grace, and bad input that gets clear errors and changes nothing."""

from __future__ import annotations

from pathlib import Path

import trio
from structlog.testing import capture_logs

from tests.fakes import ADMIN, PROVIDER_2, Client, base_url, start_node
from tests.sessions.conftest import join_as_guest, provider, signed_in, start_session, user_id
from vclinic.actors import Address
from vclinic.server.security import resolve_principal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_invitation_session_needs_the_link_reminder_confirmed(clients) -> None:
    chair = await provider(clients)
    refused = await chair.request("POST", "/api/v1/sessions", json={"name": "Consult"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "confirm_link_reminder"
    assert (await chair.request("GET", "/api/v1/sessions")).json()["sessions"] == []
    private = await chair.request("POST", "/api/v1/sessions", json={
        "name": "Team", "access_level": "private"})
    assert private.status_code == 201
    assert private.json()["next"].startswith("/preview?session=")
    assert private.json()["you"]["role"] == "chair"


async def test_added_colleague_is_notified_and_sees_the_session(clients) -> None:
    chair = await provider(clients)
    colleague = await signed_in(clients, PROVIDER_2)
    sid = (await start_session(chair, name="Weekly team meeting",
                               scheduled_at="2020-04-15T09:30:00Z"))["session"]["id"]
    assert (await colleague.request("GET", "/api/v1/sessions")).json()["sessions"] == []
    async with colleague.ws() as ws:
        await ws.next_event("hello")
        added = await chair.request("POST", f"/api/v1/sessions/{sid}/participants", json={
            "participants": [{"user_id": await user_id(colleague)}]})
        assert added.status_code == 201, added.text
        assert added.json()["participants"][0]["role"] == "broadcaster"
        bell = await ws.next_event("notification.created")
        assert bell["data"]["data"] == {"session_id": sid, "url": f"/preview?session={sid}"}
    listed = (await colleague.request("GET", "/api/v1/sessions")).json()["sessions"]
    assert [(s["id"], s["name"], s["your_role"]) for s in listed] == [
        (sid, "Weekly team meeting", "broadcaster")]
    assert listed[0]["scheduled_at"].startswith("2020-04-15T09:30:00")
    found = (await chair.request("GET", "/api/v1/providers?q=Grace")).json()["providers"]
    assert [p["name"] for p in found] == ["Dr Grace Hopper"]


async def test_bad_input_gets_clear_errors_and_changes_nothing(clients) -> None:
    chair = await provider(clients)
    sid = (await start_session(chair))["session"]["id"]
    base = f"/api/v1/sessions/{sid}"
    before = (await chair.request("GET", base)).json()
    checks = [
        (await chair.request("GET", "/api/v1/sessions/nope"), 404, "session_not_found"),
        (await chair.request("PATCH", "/api/v1/sessions/nope", json={"name": "x"}), 404,
         "session_not_found"),
        (await chair.request("PATCH", base, json={"access_level": "public"}), 400,
         "invalid_body"),
        (await chair.request("PATCH", base, json={}), 400, "invalid_body"),
        (await chair.request("PATCH", f"{base}/participants/nope", json={"role": "viewer"}),
         404, "not_found"),
        (await chair.request("PATCH", f"{base}/participants/nope", json={"role": "boss"}),
         400, "invalid_body"),
        (await chair.request("POST", f"{base}/participants", json={
            "participants": [{"user_id": "nobody"}]}), 400, "unknown_user"),
        (await chair.request("POST", f"{base}/participants", content=b"{not json",
                             headers={"Content-Type": "application/json"}), 400, None),
        (await chair.request("POST", "/api/v1/sessions", json={
            "name": "", "confirm_link_reminder": True}), 400, "invalid_body"),
        (await chair.request("PATCH", base, json={"patient_id": "nope"}), 400,
         "unknown_patient"),
        (await chair.request("POST", f"{base}/captures", content=PNG,
                             headers={"Content-Type": "image/png"}), 409, "no_patient"),
        (await chair.request("POST", f"{base}/captures", content=b"GIF89a....",
                             headers={"Content-Type": "image/gif"}), 400, "unsupported_image"),
        (await chair.request("POST", f"{base}/captures", content=b"not a png",
                             headers={"Content-Type": "image/png"}), 400, "unsupported_image"),
    ]
    for response, status, code in checks:
        assert response.status_code == status, response.text
        if code:
            assert response.json()["error"]["code"] == code, response.text
    assert (await chair.request("GET", base)).json() == before
    async with chair.ws() as ws:
        assert (await ws.request("session.enter", {}))["error"]["code"] == "bad_message"
        assert (await ws.request("session.enter", {"session_id": "nope"}))["error"][
            "code"] == "session_not_found"
        assert (await ws.request("session.leave", {"session_id": sid}))["error"][
            "code"] == "not_in_session"
    # Last: the server closes the connection of a request whose body is over the limit.
    too_big = await chair.request("POST", f"{base}/captures", content=PNG + b"\0" * 1_100_000,
                                  headers={"Content-Type": "image/png"})
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "payload_too_large"


async def test_chair_captures_an_image_to_the_patients_files(clients) -> None:
    chair = await provider(clients)
    patient = (await chair.request("POST", "/api/v1/patients", json={
        "display_name": "Jane Doe", "external_ref": "MRN-1"})).json()["patient"]
    found = (await chair.request("POST", "/api/v1/patients/search", json={"q": "Jane"})
             ).json()["patients"]
    assert [p["id"] for p in found] == [patient["id"]]
    created = await start_session(chair)
    sid = created["session"]["id"]
    linked = await chair.request("PATCH", f"/api/v1/sessions/{sid}",
                                 json={"patient_id": patient["id"]})
    assert linked.json()["session"]["patient_linked"] is True
    guest, joined = await join_as_guest(clients, created["links"]["guest"]["path"])
    saved = await chair.request(
        "POST", f"/api/v1/sessions/{sid}/captures?participant_id={joined['participant_id']}",
        content=PNG, headers={"Content-Type": "image/png"})
    assert saved.status_code == 201, saved.text
    files = (await chair.request("GET", f"/api/v1/patients/{patient['id']}/files")).json()
    assert [(f["participant_id"], f["session_id"]) for f in files["files"]] == [
        (joined["participant_id"], sid)]
    content = await chair.request("GET", files["files"][0]["url"])
    assert content.content == PNG and content.headers["content-type"] == "image/png"
    assert (await guest.request("GET", f"/api/v1/patients/{patient['id']}/files")
            ).status_code == 403


async def test_patient_search_takes_the_name_in_the_body_not_the_url(clients) -> None:
    chair = await provider(clients)
    patient = (await chair.request("POST", "/api/v1/patients", json={
        "display_name": "Jane Doe", "external_ref": "MRN-7"})).json()["patient"]
    for q in ("Jane", "MRN-7"):
        found = await chair.request("POST", "/api/v1/patients/search", json={"q": q})
        assert [p["id"] for p in found.json()["patients"]] == [patient["id"]], q
    assert (await chair.request("POST", "/api/v1/patients/search", json={"q": "Nobody"})
            ).json()["patients"] == []
    # The query-string variant is gone; one patient by id stays.
    assert (await chair.request("GET", "/api/v1/patients?q=Jane")).status_code == 405
    assert (await chair.request("GET", f"/api/v1/patients/{patient['id']}")
            ).json()["patient"]["display_name"] == "Jane Doe"
    # A write like any other: a cookie client without the CSRF token is refused.
    no_token = await chair.request("POST", "/api/v1/patients/search", json={"q": "Jane"},
                                   headers={"X-CSRF-Token": "wrong"})
    assert no_token.json()["error"]["code"] == "csrf_failed"
    too_long = await chair.request("POST", "/api/v1/patients/search", json={"q": "x" * 101})
    assert too_long.json()["error"]["code"] == "invalid_body"
    created = await start_session(chair)
    guest, _ = await join_as_guest(clients, created["links"]["guest"]["path"])
    assert (await guest.request("POST", "/api/v1/patients/search", json={"q": "Jane"})
            ).status_code == 403


async def test_create_telehealth_session_from_an_appointment(clients) -> None:
    chair = await provider(clients)
    colleague = await signed_in(clients, PROVIDER_2)
    patient = (await chair.request("POST", "/api/v1/patients", json={
        "display_name": "Jane Doe"})).json()["patient"]
    ids = [await user_id(chair), await user_id(colleague)]
    appointment = (await chair.request("POST", "/api/v1/appointments", json={
        "starts_at": "2020-04-15T09:30:00Z", "patient_id": patient["id"],
        "provider_ids": ids})).json()["appointment"]
    summary = (await chair.request("GET", f"/api/v1/appointments/{appointment['id']}")
               ).json()["appointment"]
    proposal = summary["proposal"]
    assert proposal["access_level"] == "invitation"
    assert {p["user_id"]: p["role"] for p in proposal["participants"]} == {
        ids[0]: "chair", ids[1]: "broadcaster"}
    started = await chair.request(
        "POST", f"/api/v1/appointments/{appointment['id']}/telehealth-session", json={
            "access_level": "internal",
            "participants": [{"user_id": ids[1], "role": "viewer"}]})
    assert started.status_code == 201, started.text
    session = started.json()["session"]
    assert session["access_level"] == "internal" and session["patient_linked"] is True
    bell = (await colleague.request("GET", "/api/v1/notifications")).json()
    assert bell["notifications"][0]["data"]["session_id"] == session["id"]
    mine = (await colleague.request("GET", "/api/v1/sessions")).json()["sessions"]
    assert [(s["id"], s["your_role"]) for s in mine] == [(session["id"], "viewer")]


async def test_dropped_socket_reconnects_within_grace_then_leaves(tmp_path: Path) -> None:
    async with trio.open_nursery() as nursery:
        running = await start_node(nursery, tmp_path, ws_grace_seconds=0.5)
        chair, other = Client(base_url(running)), Client(base_url(running))
        await chair.signin("dr.ada@demo.clinic")
        await other.signin(ADMIN)
        sid = (await start_session(chair))["session"]["id"]
        async with chair.ws() as cws:
            await cws.request("session.enter", {"session_id": sid})
            async with other.ws() as ows:
                first = (await ows.request("session.enter", {"session_id": sid}))["data"]
            dropped = await cws.next_event("session.participant_updated")
            assert dropped["data"]["participant"]["state"] == "reconnecting"
            left = await cws.next_event("session.participant_left")
            assert left["data"]["participant_id"] == first["you"]["id"]
            async with other.ws() as ows:
                again = (await ows.request("session.enter", {"session_id": sid}))["data"]
            assert again["you"]["id"] == first["you"]["id"]
        await chair.aclose()
        await other.aclose()
        running.stop.set()


async def test_openapi_documents_the_sessions_api(clients) -> None:
    spec = (await clients().request("GET", "/openapi.json")).json()
    for path in ("/api/v1/sessions", "/api/v1/sessions/{session_id}/participants",
                 "/api/v1/join", "/api/v1/appointments/{appointment_id}/telehealth-session",
                 "/api/v1/patients/{patient_id}/files", "/api/v1/patients/search"):
        assert path in spec["paths"], path
    # Patients are searched by POST only: no query string carrying a name.
    assert set(spec["paths"]["/api/v1/patients"]) == {"post"}
    assert set(spec["paths"]["/api/v1/patients/search"]) == {"post"}


async def test_chair_removes_a_participant_and_a_guest_hangs_up(node, clients, media) -> None:
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    guest, joined = await join_as_guest(clients, created["links"]["guest"]["path"])
    second, other = await join_as_guest(clients, created["links"]["guest"]["path"], "Sam")
    async with chair.ws() as cws, guest.ws() as gws, second.ws() as sws:
        await cws.request("session.enter", {"session_id": sid})
        entered = await gws.request("session.enter", {"session_id": sid,
                                                      "consent_recording": True})
        assert entered["data"]["you"]["consent_recording"] is True
        principal = await resolve_principal(node.context, guest.cookie)
        assert (await node.context.sessions.media_grant(sid, principal)).consent_recording
        await sws.request("session.enter", {"session_id": sid})

        assert (await gws.request("session.leave", {"session_id": sid}))["type"] == "reply"
        left = await cws.next_event("session.participant_left")
        assert left["data"]["participant_id"] == joined["participant_id"]

        removed = await chair.request(
            "DELETE", f"/api/v1/sessions/{sid}/participants/{other['participant_id']}")
        assert removed.status_code == 204
        event = await sws.next_event("session.removed")
        assert event["data"] == {"participant_id": other["participant_id"],
                                 "reason": "removed_by_chair"}
        assert ("remove_participant", sid, other["participant_id"]) in media.calls
    assert (await second.request("GET", "/api/v1/me")).status_code == 401
    detail = (await chair.request("GET", f"/api/v1/sessions/{sid}")).json()
    assert other["participant_id"] not in {p["id"] for p in detail["participants"]}


async def test_an_id_no_session_can_have_is_not_found_and_wakes_no_actor(node, clients) -> None:
    chair = await provider(clients)
    garbage = "x%01y%0Az"  # control characters once decoded: never a session id
    with capture_logs() as logs:
        await _refused_everywhere(chair, garbage)
    registry = node.context.runtime.registry
    assert registry.actor_statistics(Address("session", "x\x01y\nz")) is None
    # Nothing about it reached the log: no actor was started for it, no id was written.
    assert not [e for e in logs if "\x01" in repr(e) or "x\\x01y" in repr(e)]


async def _refused_everywhere(chair: Client, garbage: str) -> None:
    for method, path, body in (
        ("POST", f"/api/v1/sessions/{garbage}/close", None),
        ("POST", f"/api/v1/sessions/{garbage}/recording", {"consent": True}),
        ("PATCH", f"/api/v1/sessions/{garbage}", {"name": "Renamed"}),
        ("GET", f"/api/v1/sessions/{garbage}/links", None),
    ):
        answer = await chair.request(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert answer.json()["error"]["code"] == "session_not_found"


async def test_times_from_a_plugin_are_stored_or_refused_and_the_session_lives_on(
        node, clients) -> None:
    """The session service takes aware datetimes or ISO strings with an offset; anything else
    is a clear 400 ``invalid_time``, and the session keeps working (no crashed actor)."""
    import datetime as dt

    import pytest

    from vclinic.errors import BadRequest

    chair = await provider(clients)
    sid = (await start_session(chair))["session"]["id"]
    principal = await resolve_principal(node.context, chair.cookie)
    sessions = node.context.sessions
    for bad in ("tomorrow", "2030-01-01T10:00:00", dt.datetime(2030, 1, 1, 10)):
        with pytest.raises(BadRequest) as refused:
            await sessions.update(principal, sid, {"ends_at": bad})
        assert refused.value.code == "invalid_time"
    end = dt.datetime(2030, 1, 1, 10, tzinfo=dt.UTC)
    await sessions.update(principal, sid, {"ends_at": end, "name": "Still here"})
    detail = (await chair.request("GET", f"/api/v1/sessions/{sid}")).json()
    assert detail["session"]["name"] == "Still here"
    assert dt.datetime.fromisoformat(detail["session"]["ends_at"]) == end
