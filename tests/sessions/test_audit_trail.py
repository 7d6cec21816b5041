"""What a practice does to patient records and sessions lands in the audit trail, ids only."""

from __future__ import annotations

from collections.abc import Callable

from tests.fakes import PROVIDER, Client
from tests.sessions.conftest import signed_in, start_session, user_id
from vclinic.server.run import Running
from vclinic.store import AuditEvent, audit


async def test_patient_record_access_and_session_joins_are_audited(
    node: Running, clients: Callable[[], Client]
) -> None:
    stranger = clients()
    assert (await stranger.signin(PROVIDER, "not-the-password")).status_code == 401
    provider = await signed_in(clients, PROVIDER)
    me = await user_id(provider)
    made = await provider.request("POST", "/api/v1/patients", json={
        "display_name": "Jane Example", "external_ref": "MRN-0042"})
    assert made.status_code == 201, made.text
    patient_id = made.json()["patient"]["id"]
    assert (await provider.request("GET", f"/api/v1/patients/{patient_id}")).status_code == 200
    found = await provider.request("POST", "/api/v1/patients/search", json={"q": "Jane"})
    assert [p["id"] for p in found.json()["patients"]] == [patient_id]
    session_id = (await start_session(provider, patient_id=patient_id))["session"]["id"]
    async with provider.ws() as ws:
        entered = await ws.request("session.enter", {"session_id": session_id,
                                                     "consent_recording": True})
        assert entered["type"] == "reply", entered

    store = node.context.store
    rows = await store.run(lambda: list(AuditEvent.select().where(AuditEvent.actor_id == me)
                                        .order_by(AuditEvent.seq)))
    trail = [(row.action, row.target_ids) for row in rows]
    assert trail[0] == ("user.signed_in", [me])
    failed = await store.run(lambda: list(AuditEvent.select().where(
        AuditEvent.action == "user.signin_failed")))
    assert [(row.actor_id, row.target_ids) for row in failed] == [(None, [me])]
    assert failed[0].seq < rows[0].seq
    assert ("patient.created", [patient_id]) in trail
    assert ("patient.viewed", [patient_id]) in trail
    assert ("patient.searched", [patient_id]) in trail
    assert ("session.created", [session_id]) in trail
    joined = [targets for action, targets in trail if action == "session.joined"]
    assert joined and joined[0][0] == session_id
    assert ("consent.recording_given", joined[0]) in trail
    # Ids only: nothing a patient or user would be named by.
    text = repr([(row.action, row.target_ids, row.actor_id) for row in rows])
    assert "Jane" not in text and "MRN-0042" not in text and "dr.ada" not in text
    assert (await store.run(audit.verify)).broken is None


async def test_the_schedule_and_captured_images_are_patient_record_access(
    node: Running, clients: Callable[[], Client]
) -> None:
    provider = await signed_in(clients, PROVIDER)
    me = await user_id(provider)
    patient_id = (await provider.request("POST", "/api/v1/patients", json={
        "display_name": "Sam Example"})).json()["patient"]["id"]
    appointment = await provider.request("POST", "/api/v1/appointments", json={
        "starts_at": "2031-05-01T09:00:00Z", "patient_id": patient_id, "provider_ids": [me]})
    assert appointment.status_code == 201, appointment.text
    appointment_id = appointment.json()["appointment"]["id"]
    listed = (await provider.request("GET", "/api/v1/appointments")).json()["appointments"]
    assert [a["patient"]["display_name"] for a in listed if a["id"] == appointment_id] == [
        "Sam Example"]
    on_schedule = sorted({a["patient"]["id"] for a in listed if a["patient"]})
    viewed = await provider.request("GET", f"/api/v1/appointments/{appointment_id}")
    assert viewed.json()["appointment"]["patient"]["id"] == patient_id
    session_id = (await start_session(provider, patient_id=patient_id))["session"]["id"]
    saved = await provider.request("POST", f"/api/v1/sessions/{session_id}/captures",
                                   content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                                   headers={"Content-Type": "image/png"})
    assert saved.status_code == 201, saved.text
    file_id = saved.json()["file"]["id"]

    store = node.context.store
    rows = await store.run(lambda: list(AuditEvent.select().where(AuditEvent.actor_id == me)
                                        .order_by(AuditEvent.seq)))
    trail = [(row.action, row.target_ids) for row in rows]
    listings = [sorted(targets) for action, targets in trail if action == "appointments.listed"]
    assert listings == [on_schedule] and patient_id in on_schedule
    assert ("appointment.viewed", [appointment_id, patient_id]) in trail
    assert ("patient.file_added", [patient_id, file_id, session_id]) in trail
    assert "Sam" not in repr(trail) and "2031" not in repr(trail)
    assert (await store.run(audit.verify)).broken is None
