"""Provider → Scheduling's API: the caller's appointments, upcoming first, for the practice's
own providers only; Create Telehealth Session with an invite list the user trimmed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.fakes import PROVIDER_2, STATION
from tests.sessions.conftest import join_as_guest, provider, signed_in, start_session, user_id
from vclinic import accounts
from vclinic.store import utcnow

RANGE = "since=2020-01-01T00:00:00Z&until=2020-12-31T00:00:00Z"


async def _appointment(client: Any, starts_at: str, provider_ids: list[str],
                       patient_id: str | None = None) -> dict[str, Any]:
    made = await client.request("POST", "/api/v1/appointments", json={
        "starts_at": starts_at, "patient_id": patient_id, "provider_ids": provider_ids})
    assert made.status_code == 201, made.text
    return dict(made.json()["appointment"])


async def _patient(client: Any, name: str) -> dict[str, Any]:
    made = await client.request("POST", "/api/v1/patients", json={"display_name": name})
    return dict(made.json()["patient"])


async def test_providers_see_their_appointments_upcoming_first(clients) -> None:
    ada = await provider(clients)
    grace = await signed_in(clients, PROVIDER_2)
    ids = [await user_id(ada), await user_id(grace)]
    jane = await _patient(ada, "Jane Doe")
    march = await _appointment(ada, "2020-03-01T09:00:00Z", ids, jane["id"])
    april = await _appointment(ada, "2020-04-15T09:30:00Z", ids[:1])
    await _appointment(ada, "2020-04-16T10:00:00Z", ids[1:])
    soon = (utcnow() + dt.timedelta(days=40)).replace(microsecond=0)
    later = await _appointment(ada, (soon + dt.timedelta(days=1)).isoformat(), ids)
    upcoming = await _appointment(ada, soon.isoformat(), ids)

    listed = (await ada.request("GET", "/api/v1/appointments")).json()["appointments"]
    mine = [a["id"] for a in listed if a["id"] in
            {march["id"], april["id"], later["id"], upcoming["id"]}]
    assert mine == [upcoming["id"], later["id"], april["id"], march["id"]]
    # The demo clinic's own appointments (today and tomorrow) come before the ones in 40 days.
    assert listed.index(next(a for a in listed if a["id"] == upcoming["id"])) > 0

    in_2020 = (await ada.request("GET", f"/api/v1/appointments?{RANGE}")).json()
    assert [a["id"] for a in in_2020["appointments"]] == [april["id"], march["id"]]
    first = in_2020["appointments"][1]
    assert first["patient"] == {"id": jane["id"], "display_name": "Jane Doe"}
    assert [p["name"] for p in first["providers"]] == ["Dr Ada Lovelace", "Dr Grace Hopper"]
    assert first["starts_at"].startswith("2020-03-01T09:00:00")
    assert first["session_id"] is None

    for_grace = (await grace.request("GET", f"/api/v1/appointments?{RANGE}")).json()
    assert [a["starts_at"][:10] for a in for_grace["appointments"]] == [
        "2020-04-16", "2020-03-01"]


async def test_only_the_practice_sees_its_appointments(node, clients) -> None:
    ada = await provider(clients)
    jane = await _patient(ada, "Jane Doe")
    booked = await _appointment(ada, "2020-03-01T09:00:00Z", [await user_id(ada)], jane["id"])
    store = node.context.store
    await accounts.create_org(store, "Other Clinic")
    await accounts.create_user(store, "other-clinic", "dr.who@other.clinic",
                               "long-enough-1", "provider", "Dr Who")
    outsider = clients()
    assert (await outsider.signin("dr.who@other.clinic", "long-enough-1")).status_code == 200
    assert (await outsider.request("GET", "/api/v1/appointments")).json() == {
        "appointments": []}
    base = f"/api/v1/appointments/{booked['id']}"
    refused = await outsider.request("GET", base)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "appointment_not_found"
    assert "Jane" not in refused.text
    started = await outsider.request("POST", f"{base}/telehealth-session", json={
        "access_level": "private"})
    assert started.status_code == 404
    station = await signed_in(clients, STATION)
    assert (await station.request("GET", "/api/v1/appointments")).status_code == 403
    guest, _ = await join_as_guest(clients, (await start_session(ada))["links"]["guest"]["path"])
    assert (await guest.request("GET", "/api/v1/appointments")).status_code == 403
    assert (await guest.request("GET", base)).status_code == 403
    assert (await clients().request("GET", "/api/v1/appointments")).status_code == 401
    assert (await ada.request("GET", base)).json()["appointment"]["patient"]["id"] == jane["id"]


async def test_bad_date_ranges_get_clear_errors(clients) -> None:
    ada = await provider(clients)
    checks = [
        ("since=2020-04-15T09:30:00", 400, "invalid_body", "time zone"),
        ("since=2020-04-15T09:30:00Z&until=2020-04-15T09:00:00Z", 400, "invalid_range",
         "after its start"),
        ("since=yesterday", 400, "invalid_body", None),
    ]
    for query, status, code, words in checks:
        answer = await ada.request("GET", f"/api/v1/appointments?{query}")
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["code"] == code, answer.text
        if words:
            assert words in answer.json()["error"]["message"]


async def test_unticked_colleague_is_not_invited(clients) -> None:
    ada = await provider(clients)
    grace = await signed_in(clients, PROVIDER_2)
    ids = [await user_id(ada), await user_id(grace)]
    booked = await _appointment(ada, "2020-04-15T09:30:00Z", ids)
    started = await ada.request(
        "POST", f"/api/v1/appointments/{booked['id']}/telehealth-session", json={
            "access_level": "private", "participants": []})
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["next"] == f"/preview?session={body['session']['id']}"
    assert [p["user_id"] for p in body["participants"]] == [ids[0]]
    assert (await grace.request("GET", "/api/v1/notifications")).json()["notifications"] == []
    assert (await grace.request("GET", "/api/v1/sessions")).json()["sessions"] == []
    summary = (await ada.request("GET", f"/api/v1/appointments/{booked['id']}")).json()
    assert summary["appointment"]["session_id"] == body["session"]["id"]


async def test_openapi_documents_the_appointment_list(clients) -> None:
    spec = (await clients().request("GET", "/openapi.json")).json()
    listed = spec["paths"]["/api/v1/appointments"]
    assert {"get", "post"} <= set(listed)
    assert {p["name"] for p in listed["get"]["parameters"]} == {"since", "until"}


async def test_session_from_an_appointment_takes_the_confirmed_name(clients) -> None:
    ada = await provider(clients)
    ids = [await user_id(ada)]
    named = await _appointment(ada, "2030-05-01T13:30:00Z", ids)
    path = f"/api/v1/appointments/{named['id']}/telehealth-session"
    for bad in ("   ", "x" * 201):
        refused = await ada.request("POST", path, json={
            "name": bad, "access_level": "private"})
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["code"] in ("invalid_name", "invalid_body")
    assert (await ada.request("GET", "/api/v1/sessions")).json()["sessions"] == []
    started = await ada.request("POST", path, json={
        "name": "2030-05-01 10:30 Dr Ada Lovelace - Appointment", "access_level": "private"})
    assert started.status_code == 201, started.text
    assert started.json()["session"]["name"] == "2030-05-01 10:30 Dr Ada Lovelace - Appointment"
    # Without a name the server keeps naming the session by the appointment's time in UTC.
    unnamed = await _appointment(ada, "2030-05-02T08:00:00Z", ids)
    default = await ada.request(
        "POST", f"/api/v1/appointments/{unnamed['id']}/telehealth-session",
        json={"access_level": "private"})
    assert default.json()["session"]["name"] == "2030-05-02 08:00 appointment"


async def test_one_appointment_has_one_open_session(clients) -> None:
    ada = await provider(clients)
    booked = await _appointment(ada, "2020-04-15T09:30:00Z", [await user_id(ada)])
    path = f"/api/v1/appointments/{booked['id']}/telehealth-session"
    first = await ada.request("POST", path, json={"access_level": "private"})
    assert first.status_code == 201, first.text
    session_id = first.json()["session"]["id"]
    again = await ada.request("POST", path, json={"access_level": "private"})
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert error["code"] == "appointment_has_session"
    assert error["details"] == {"session_id": session_id,
                                "next": f"/preview?session={session_id}"}
    assert len((await ada.request("GET", "/api/v1/sessions")).json()["sessions"]) == 1

    # Once that session has ended, the appointment may have a new one.
    closed = await ada.request("POST", f"/api/v1/sessions/{session_id}/close")
    assert closed.status_code == 200, closed.text
    later = await ada.request("POST", path, json={"access_level": "private"})
    assert later.status_code == 201, later.text
