"""The public calendar: bookable times from the admin's weekly hours minus appointments, booking
one (an appointment in the provider's Scheduling, a confirmation email with an invitation), the
race for one slot, and bad input."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Awaitable, Callable
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import trio

from tests.fakes import PROVIDER, Client, base_url, start_node
from tests.on_demand.calendar_helpers import ANSWERS, EVERY_DAY, book, free_slots, set_hours
from tests.on_demand.conftest import SLUG, Staff, user_id
from tests.smtp import wait_for_mail

ADA = "Dr Ada Lovelace"


async def _ada(admin: Client, provider: Client) -> tuple[str, str]:
    ada_id = await user_id(provider)
    body = await set_hours(admin, ada_id)
    name = next(p["name"] for p in body["providers"] if p["id"] == ada_id)
    return ada_id, name


async def test_times_come_from_weekly_hours_minus_appointments(
        admin: Client, provider: Client, patient: Client) -> None:
    assert await free_slots(patient) == {}  # no weekly hours yet: nothing to book
    ada_id, ada = await _ada(admin, provider)
    offered = (await free_slots(patient))[ada]
    now = dt.datetime.now(dt.UTC)
    starts = [dt.datetime.fromisoformat(s) for s in offered]
    assert starts and all(now < s <= now + dt.timedelta(days=14, minutes=1) for s in starts)
    assert all(s.minute in (0, 30) and 9 <= s.hour < 11 for s in starts)
    # The demo appointments of this provider are not offered.
    mine = (await provider.request("GET", "/api/v1/appointments")).json()["appointments"]
    taken = {a["starts_at"] for a in mine}
    assert not taken & set(offered)
    # An appointment the practice adds off the grid takes both slots it overlaps.
    half_hour = dt.timedelta(minutes=30)
    first, second = next((a, b) for a, b in itertools.pairwise(starts) if b - a == half_hour)
    at = first + dt.timedelta(minutes=10)
    made = await provider.request("POST", "/api/v1/appointments", json={
        "starts_at": at.isoformat(), "provider_ids": [ada_id]})
    assert made.status_code == 201, made.text
    now_offered = (await free_slots(patient))[ada]
    assert set(offered) - set(now_offered) == {first.isoformat(), second.isoformat()}
    # Another provider without weekly hours is not shown.
    assert list(await free_slots(patient)) == [ada]


async def test_booking_creates_an_appointment_and_takes_the_slot(
        admin: Client, provider: Client, patient: Client,
        clients: Callable[..., Awaitable[Client]]) -> None:
    ada_id, ada = await _ada(admin, provider)
    slot = (await free_slots(patient))[ada][0]
    booked = await book(patient, ada_id, slot, name="Bo Booker")
    assert booked.status_code == 201, booked.text
    assert booked.json()["booking"]["provider"]["name"] == ada
    assert booked.json()["booking"]["starts_at"] == slot
    # The slot is gone for the next visitor, who is told so if they try anyway.
    other = await clients(patient=True)
    assert slot not in (await free_slots(other))[ada]
    again = await book(other, ada_id, slot, name="Cy Second", email="cy@example.org")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "slot_taken"
    assert "another" in again.json()["error"]["message"]
    # The provider's Scheduling shows the appointment with the visitor's name.
    mine = (await provider.request("GET", "/api/v1/appointments")).json()["appointments"]
    [row] = [a for a in mine if a["starts_at"] == slot]
    assert row["patient"]["display_name"] == "Bo Booker"
    assert [p["user_id"] for p in row["providers"]] == [ada_id]


async def test_two_visitors_racing_for_one_slot_have_one_winner(
        admin: Client, provider: Client, clients: Callable[..., Awaitable[Client]]) -> None:
    ada_id, ada = await _ada(admin, provider)
    visitors = [await clients(patient=True) for _ in range(4)]
    slot = (await free_slots(visitors[0]))[ada][0]
    results: list[Any] = []

    async def try_booking(i: int) -> None:
        results.append(await book(visitors[i], ada_id, slot, email=f"v{i}@example.org"))

    async with trio.open_nursery() as race:
        for i in range(len(visitors)):
            race.start_soon(try_booking, i)
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409]
    mine = (await provider.request("GET", "/api/v1/appointments")).json()["appointments"]
    assert len([a for a in mine if a["starts_at"] == slot]) == 1
    # The losers left no patient record behind.
    found = await provider.request("POST", "/api/v1/patients/search", json={"q": "Bo Booker"})
    assert len(found.json()["patients"]) == 1


async def test_bad_bookings_are_refused_and_leave_nothing_behind(
        admin: Client, provider: Client, provider_2: Client, patient: Client) -> None:
    ada_id, ada = await _ada(admin, provider)
    slot = (await free_slots(patient))[ada][0]
    off_grid = (dt.datetime.fromisoformat(slot) + dt.timedelta(minutes=7)).isoformat()
    cases = [
        (dict(starts_at=off_grid), 400, "not_a_slot"),
        (dict(starts_at=slot[:19]), 400, "invalid_time"),  # no time zone
        (dict(email="not-an-email"), 400, "invalid_email"),
        (dict(name="   "), 400, "invalid_name"),
        (dict(provider_id=await user_id(provider_2)), 404, "provider_not_bookable"),
        (dict(answers={"nope": "x"}), 400, "unknown_field"),
        (dict(time_zone="Nowhere/Else"), 400, "invalid_time_zone"),
    ]
    for change, status, code in cases:
        body = {"provider_id": ada_id, "starts_at": slot, "name": "Bo", "email": "b@x.org",
                "answers": ANSWERS, **change}
        response = await patient.request("POST", f"/api/v1/on_demand/orgs/{SLUG}/bookings",
                                         json=body)
        assert response.status_code == status, (change, response.text)
        assert response.json()["error"]["code"] == code
        assert "b@x.org" not in response.text
    assert slot in (await free_slots(patient))[ada]
    missing = await patient.request("POST", "/api/v1/on_demand/orgs/nowhere/bookings", json={
        "provider_id": ada_id, "starts_at": slot, "name": "Bo", "email": "b@x.org"})
    assert missing.status_code == 404


async def test_required_setup_guide_answers_are_asked_before_booking(
        admin: Client, provider: Client, patient: Client) -> None:
    ada_id, ada = await _ada(admin, provider)
    fields = [{"key": "reason", "label": "Reason for visit", "kind": "text", "required": True},
              {"key": "consent", "label": "I consent to a video visit", "kind": "consent",
               "required": True}]
    put = await admin.request("PUT", "/api/v1/on_demand/intake", json={"fields": fields})
    assert put.status_code == 200, put.text
    slot = (await free_slots(patient))[ada][0]
    refused = await book(patient, ada_id, slot, answers={"reason": "Rash"})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["missing"] == ["consent"]
    ok = await book(patient, ada_id, slot, answers={"reason": "Rash", "consent": True})
    assert ok.status_code == 201, ok.text


async def test_only_admins_set_weekly_hours_and_bad_hours_change_nothing(
        admin: Client, provider: Client) -> None:
    ada_id, _ = await _ada(admin, provider)
    denied = await provider.request("PUT", "/api/v1/on_demand/calendar",
                                    json={"hours": {ada_id: []}})
    assert denied.status_code == 403
    for body, code in [
        ({"slot_minutes": 7, "hours": {}}, "invalid_slot_minutes"),
        ({"time_zone": "Mars/Olympus", "hours": {}}, "invalid_time_zone"),
        ({"hours": {"someone-else": EVERY_DAY}}, "unknown_provider"),
        ({"hours": {ada_id: [{"day": "monday", "start": "10:00", "end": "09:00"}]}},
         "invalid_hours"),
    ]:
        response = await admin.request("PUT", "/api/v1/on_demand/calendar", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == code
    kept = (await admin.request("GET", "/api/v1/on_demand/calendar")).json()
    assert kept["hours"][ada_id] == EVERY_DAY
    assert kept["slot_minutes"] == 30


async def test_public_calendar_is_rate_limited(admin: Client, provider: Client,
                                               patient: Client) -> None:
    ada_id, ada = await _ada(admin, provider)
    slot = (await free_slots(patient))[ada][0]
    codes = [(await book(patient, ada_id, slot, email="bad")).status_code for _ in range(11)]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    limited = await book(patient, ada_id, slot)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1


def _parts(message: Message) -> dict[str, Message]:
    return {part.get_content_type(): part for part in message.walk()}


async def test_confirmation_email_carries_an_invitation(
        nursery: trio.Nursery, tmp_path: Path, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    node = await start_node(nursery, tmp_path / "node", smtp_port=port,
                            smtp_from="clinic@demo.clinic")
    admin, provider, visitor = (Staff(base_url(node)) for _ in range(3))
    try:
        await admin.signin("admin@demo.clinic")
        await provider.signin(PROVIDER)
        ada_id, ada = await _ada(admin, provider)
        slot = (await free_slots(visitor))[ada][0]
        booked = await book(visitor, ada_id, slot, name="Ivy Invite", email="ivy@example.org",
                            time_zone="Asia/Tokyo")
        assert booked.status_code == 201, booked.text
        [received] = await wait_for_mail(maildir)
        message = message_from_bytes(received.as_bytes())
        assert message["To"] == "ivy@example.org"
        assert message["Subject"] == "Your appointment is booked"
        parts = _parts(message)
        text = parts["text/plain"].get_payload(decode=True).decode()
        tokyo = dt.datetime.fromisoformat(slot).astimezone(ZoneInfo("Asia/Tokyo"))
        assert ada in text
        assert f"{tokyo:%H:%M} (Asia/Tokyo)" in text
        invite = parts["text/calendar"]
        assert invite.get_filename() == "appointment.ics"
        ics = invite.get_payload(decode=True).decode()
        start = dt.datetime.fromisoformat(slot).strftime("%Y%m%dT%H%M%SZ")
        end = (dt.datetime.fromisoformat(slot) + dt.timedelta(minutes=30)).strftime(
            "%Y%m%dT%H%M%SZ")
        assert f"DTSTART:{start}\r\n" in ics
        assert f"DTEND:{end}\r\n" in ics
        assert f"UID:{booked.json()['booking']['id']}\r\n" in ics
        assert "METHOD:REQUEST" in ics and ics.endswith("END:VCALENDAR\r\n")
        assert "mailto:clinic@demo.clinic" in ics
    finally:
        for client in (admin, provider, visitor):
            await client.aclose()
