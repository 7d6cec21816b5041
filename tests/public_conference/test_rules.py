"""The Scheduler's rules through the API: Public Conference needs Video Conferencing, who may
set up what, and bad input that leaves nothing behind."""

from __future__ import annotations

import datetime as dt

from tests.fakes import Client
from tests.public_conference.office import API, Office, at, error, ok


async def test_public_conference_is_only_allowed_with_video_conferencing(office: Office) -> None:
    refused = error(await office.admin.request("POST", f"{API}/event-types", json={
        "name": "Open forum", "video_conferencing": False, "public_conference": True}), 400)
    assert refused["code"] == "public_needs_video"
    made = ok(await office.admin.request("POST", f"{API}/event-types", json={
        "name": "Open forum", "video_conferencing": True, "public_conference": True}), 201)
    assert made["event_type"]["public_conference"] is True
    listed = ok(await office.ada.request("GET", f"{API}/event-types"))["event_types"]
    assert [t["name"] for t in listed] == ["Open forum"]
    duplicate = error(await office.admin.request("POST", f"{API}/event-types", json={
        "name": "Open forum", "video_conferencing": True}), 409)
    assert duplicate["code"] == "duplicate_name"


async def test_only_admins_make_event_types(office: Office) -> None:
    refused = await office.ada.request("POST", f"{API}/event-types", json={
        "name": "Mine", "video_conferencing": True})
    assert refused.status_code == 403


async def test_saving_confirms_the_emails_to_the_linked_people(office: Office) -> None:
    saved = await office.event(patients=[{"name": "Pat Patient", "email": "pat@example.org"},
                                         {"name": "Sam Second"}])
    assert saved["confirmation"] == ("Emails will be sent to the 2 staff members and 2 "
                                     "patients linked to the event.")
    event = saved["event"]
    assert event["status"] == "scheduled" and event["public_conference"] is True
    assert sorted(m["name"] for m in event["members"]) == [
        "Dr Ada Lovelace", "Dr Grace Hopper", "Pat Patient", "Sam Second"]
    # The event's session is on the core session model, in the Public Conference workflow.
    session = ok(await office.ada.request("GET", f"/api/v1/sessions/{event['session_id']}"))
    assert session["session"]["workflow"] == "public_conference"


async def test_a_conference_need_not_have_a_patient_but_can(office: Office) -> None:
    alone = (await office.event(patients=[]))["event"]
    assert alone["patient_id"] is None
    patient = ok(await office.ada.request("POST", "/api/v1/patients",
                                          json={"display_name": "Pat Patient"}), 201)
    patient_id = patient.get("patient", patient)["id"]
    tied = (await office.event(patient_id=patient_id))["event"]
    assert tied["patient_id"] == patient_id
    session = ok(await office.ada.request("GET", f"/api/v1/sessions/{tied['session_id']}"))
    assert session["session"]["patient_id"] == patient_id


async def test_bad_events_are_refused_and_leave_nothing(office: Office) -> None:
    no_video = await office.event_type(video=False, public=False)
    base = {"title": "Meeting", "starts_at": at(5), "duration_minutes": 30}
    before = ok(await office.ada.request("GET", "/api/v1/sessions"))
    cases = [
        ({**base, "type_id": no_video}, 400, "no_video_conferencing"),
        ({**base, "type_id": "nope"}, 404, "event_type_not_found"),
        ({**base, "type_id": await office.event_type(), "staff": ["nobody"]}, 400,
         "unknown_staff"),
        ({**base, "type_id": await office.event_type(), "patient_id": "nobody"}, 404, None),
        ({**base, "type_id": await office.event_type(), "starts_at": "2030-01-01T10:00:00"},
         400, "invalid_time"),
        ({**base, "type_id": await office.event_type(), "duration_minutes": 0}, 400, None),
    ]
    for body, status, code in cases:
        refused = error(await office.ada.request("POST", API, json=body), status)
        if code:
            assert refused["code"] == code, refused
    assert ok(await office.ada.request("GET", "/api/v1/sessions")) == before


async def test_signed_out_cannot_schedule(office: Office) -> None:
    anonymous = Client(office.base)
    try:
        response = await anonymous.request("POST", API, json={})
        assert response.status_code == 401
    finally:
        await anonymous.aclose()


async def test_the_organiser_changes_the_event_and_its_session_follows(office: Office) -> None:
    event = (await office.event())["event"]
    refused = error(await office.grace.request("PATCH", f"{API}/{event['id']}",
                                               json={"title": "Mine now"}), 403)
    assert refused["code"] == "not_organiser"
    assert error(await office.ada.request("PATCH", f"{API}/{event['id']}", json={}),
                 400)["code"] == "no_changes"
    changed = ok(await office.ada.request("PATCH", f"{API}/{event['id']}", json={
        "title": "Team meeting", "duration_minutes": 30}))["event"]
    assert changed["title"] == "Team meeting" and changed["duration_minutes"] == 30
    assert changed["sequence"] == 1
    session = ok(await office.ada.request("GET", f"/api/v1/sessions/{event['session_id']}"))
    assert session["session"]["name"] == "Team meeting"
    ends = dt.datetime.fromisoformat(session["session"]["ends_at"])
    assert ends - dt.datetime.fromisoformat(changed["starts_at"]) == dt.timedelta(minutes=30)
    ok(await office.ada.request("POST", f"{API}/{event['id']}/cancel"))
    assert error(await office.ada.request("PATCH", f"{API}/{event['id']}",
                                          json={"title": "Again"}), 409)["code"] == (
        "conference_cancelled")


async def test_the_scheduler_lists_the_events_not_yet_over(office: Office) -> None:
    soon = (await office.event())["event"]
    cancelled = (await office.event())["event"]
    ok(await office.ada.request("POST", f"{API}/{cancelled['id']}/cancel"))
    listed = ok(await office.grace.request("GET", API))["events"]
    assert [e["id"] for e in listed] == [soon["id"]]
    assert {m["name"] for m in listed[0]["members"]} >= {"Dr Ada Lovelace", "Pat Patient"}


async def test_the_staff_an_event_can_link(office: Office) -> None:
    staff = ok(await office.ada.request("GET", f"{API}/staff"))["staff"]
    names = [s["name"] for s in staff]
    assert "Dr Ada Lovelace" in names and "Dr Grace Hopper" in names
    assert names == sorted(names)
