"""The session form's OK on an existing session: settings and the Participants from Your
Practice list saved together by one ``PATCH /api/v1/sessions/<id>``, or nothing saved."""

from __future__ import annotations

from tests.fakes import ADMIN, PROVIDER_2, STATION
from tests.sessions.conftest import provider, signed_in, start_session, user_id
from vclinic.server.security import resolve_principal
from vclinic.sessions.creation import NewSession


async def notifications(client) -> list[dict]:
    return list((await client.request("GET", "/api/v1/notifications")).json()["notifications"])


async def test_form_saves_settings_and_participants_together(clients) -> None:
    chair = await provider(clients)
    colleague = await signed_in(clients, PROVIDER_2)
    admin = await signed_in(clients, ADMIN)
    me, grace, other = (await user_id(chair), await user_id(colleague), await user_id(admin))
    patient = (await chair.request("POST", "/api/v1/patients", json={
        "display_name": "Jane Doe"})).json()["patient"]
    sid = (await start_session(chair, participants=[{"user_id": other}]))["session"]["id"]
    base = f"/api/v1/sessions/{sid}"

    saved = await chair.request("PATCH", base, json={
        "name": "Weekly team meeting", "access_level": "internal",
        "patient_id": patient["id"],
        "participants": [{"user_id": me, "role": "chair"}, {"user_id": grace, "role": "chair"}]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["session"]["access_level"] == "internal"
    assert saved.json()["session"]["patient_linked"] is True

    detail = (await chair.request("GET", base)).json()
    listed = {p["display_name"]: p["role"] for p in detail["participants"] if p["listed"]}
    assert listed == {"Dr Ada Lovelace": "chair", "Dr Grace Hopper": "chair"}
    assert detail["session"]["patient_id"] == patient["id"]
    shown = (await chair.request("GET", f"/api/v1/patients/{patient['id']}")).json()
    assert shown["patient"]["display_name"] == "Jane Doe"

    theirs = (await colleague.request("GET", "/api/v1/sessions")).json()["sessions"]
    assert [(s["name"], s["your_role"]) for s in theirs] == [("Weekly team meeting", "chair")]
    bell = await notifications(colleague)
    assert [n["data"]["session_id"] for n in bell] == [sid]
    assert (await admin.request("GET", "/api/v1/sessions")).json()["sessions"] == []

    # Saving again with the same list changes no one and notifies no one again.
    again = await chair.request("PATCH", base, json={"participants": [
        {"user_id": me, "role": "chair"}, {"user_id": grace, "role": "viewer"}]})
    assert again.status_code == 200, again.text
    assert len(await notifications(colleague)) == 1
    theirs = (await colleague.request("GET", "/api/v1/sessions")).json()["sessions"]
    assert [s["your_role"] for s in theirs] == ["viewer"]


async def test_refused_form_saves_nothing(clients) -> None:
    chair = await provider(clients)
    colleague = await signed_in(clients, PROVIDER_2)
    me, grace = await user_id(chair), await user_id(colleague)
    sid = (await start_session(chair, participants=[{"user_id": grace}]))["session"]["id"]
    base = f"/api/v1/sessions/{sid}"
    before = (await chair.request("GET", base)).json()
    refusals = [
        ({"name": "Renamed", "participants": [{"user_id": grace, "role": "viewer"}]},
         409, "last_chair"),
        ({"access_level": "private", "participants": [
            {"user_id": me, "role": "chair"}, {"user_id": "nobody"}]}, 400, "unknown_user"),
        ({"name": "Renamed", "participants": [
            {"user_id": me, "role": "chair"}, {"user_id": me, "role": "viewer"}]},
         400, None),
        ({"name": "Renamed", "patient_id": "nope", "participants": []}, 400, "unknown_patient"),
    ]
    for body, status, code in refusals:
        answer = await chair.request("PATCH", base, json=body)
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["message"]
        if code:
            assert answer.json()["error"]["code"] == code
    assert (await chair.request("GET", base)).json() == before
    assert (await chair.request("GET", "/api/v1/patients/nope")).status_code == 404
    guest_view = await colleague.request("PATCH", base, json={"participants": []})
    assert guest_view.status_code == 403


async def test_chair_changes_settings_of_a_session_listing_a_requester_station(
        node, clients) -> None:
    chair = await provider(clients)
    station = await signed_in(clients, STATION)
    me, room = await user_id(chair), await user_id(station)
    principal = await resolve_principal(node.context, chair.cookie)
    # As the Virtual Clinic does when a provider accepts a requester station's request.
    created = await node.context.sessions.create(NewSession(
        org_id=principal.org_id, creator_id=me, name="Virtual Clinic: Exam Room 1",
        access_level="private", participants=((room, "broadcaster"),), allow_stations=True))
    sid = created["session"]["id"]
    base = f"/api/v1/sessions/{sid}"
    listed = (await chair.request("GET", base)).json()["participants"]
    assert sorted((p["user_id"], p["station"]) for p in listed) == sorted(
        [(me, False), (room, True)])
    # The form sends the list back as it loaded it, the station unchanged.
    as_loaded = [{"user_id": p["user_id"], "role": p["role"]} for p in listed]
    saved = await chair.request("PATCH", base, json={
        "name": "Exam Room 1 follow-up", "participants": as_loaded})
    assert saved.status_code == 200, saved.text
    detail = (await chair.request("GET", base)).json()
    assert detail["session"]["name"] == "Exam Room 1 follow-up"
    assert {(p["user_id"], p["role"]) for p in detail["participants"]} == {
        (me, "chair"), (room, "broadcaster")}
    # A station is still not a colleague: its role does not change, and no other session can
    # list it.
    promoted = await chair.request("PATCH", base, json={"participants": [
        {"user_id": me, "role": "chair"}, {"user_id": room, "role": "chair"}]})
    assert promoted.json()["error"]["code"] == "invalid_role"
    other = (await start_session(chair, access_level="private"))["session"]["id"]
    added = await chair.request("PATCH", f"/api/v1/sessions/{other}", json={"participants": [
        {"user_id": me, "role": "chair"}, {"user_id": room, "role": "broadcaster"}]})
    assert added.status_code == 400
    assert added.json()["error"]["code"] == "unknown_user"
    assert {(p["user_id"], p["role"]) for p in (await chair.request("GET", base)).json()[
        "participants"]} == {(me, "chair"), (room, "broadcaster")}
