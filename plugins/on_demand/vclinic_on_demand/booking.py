"""The public calendar's records: its settings, the free slots and booking one. Synchronous
peewee functions run through ``store.run`` / ``store.atomic``; no patient data in errors."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

import peewee

from vclinic.api import (
    BadRequest,
    Conflict,
    NotFound,
    Organisation,
    User,
    UserRole,
    audit,
    enqueue_email,
    utcnow,
)
from vclinic.api import records as rec
from vclinic_on_demand import ics, slots
from vclinic_on_demand.model import Booking, CalendarSettings

CONFIRM_SUBJECT = "Your appointment is booked"


def providers(org_id: str) -> list[dict[str, str]]:
    """The organisation's active providers, by name."""
    role = UserRole.select(UserRole.user).where(UserRole.role == "provider")
    rows = User.select(User.id, User.name).where(
        User.organisation == org_id, User.is_active, ~User.is_station, User.id.in_(role))
    return [{"id": u.id, "name": u.name} for u in rows.order_by(User.name, User.id)]


def settings(org_id: str) -> dict[str, Any]:
    """The calendar's settings; until an admin saves them, no hours, 30-minute slots and the
    organisation's own time zone (Organisation settings), else UTC."""
    row = CalendarSettings.get_or_none(CalendarSettings.organisation_id == org_id)
    if row is None:
        org = Organisation.get_or_none(Organisation.id == org_id)
        zone = ((org.settings or {}).get("timezone") if org is not None else None) or "UTC"
        return {"slot_minutes": slots.DEFAULT_SLOT_MINUTES, "time_zone": zone, "hours": {}}
    return {"slot_minutes": row.slot_minutes, "time_zone": row.time_zone,
            "hours": dict(row.hours or {})}


def save_settings(org_id: str, actor_id: str, slot_minutes: int, time_zone: str,
                  hours: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Replace the calendar's settings (in a transaction), audited; every provider id must be
    an active provider of the organisation."""
    if slot_minutes not in slots.SLOT_MINUTES:
        raise BadRequest("Choose a slot length of "
                         + ", ".join(str(m) for m in slots.SLOT_MINUTES) + " minutes.",
                         code="invalid_slot_minutes")
    zone = slots.check_zone(time_zone)
    known = {p["id"] for p in providers(org_id)}
    cleaned: dict[str, list[dict[str, str]]] = {}
    for user_id, ranges in hours.items():
        if user_id not in known:
            raise BadRequest("Weekly hours can only be set for the clinic's providers.",
                             code="unknown_provider")
        checked = slots.check_hours(ranges)
        if checked:
            cleaned[user_id] = checked
    values = {"slot_minutes": slot_minutes, "time_zone": zone, "hours": cleaned,
              "updated_at": utcnow()}
    (CalendarSettings.insert(organisation_id=org_id, **values)
     .on_conflict(conflict_target=[CalendarSettings.organisation_id],
                  update={getattr(CalendarSettings, k): v for k, v in values.items()})
     .execute())
    audit.record(org_id, actor_id, "on_demand.calendar_changed", org_id)
    return settings(org_id)


def _busy(org_id: str, provider_id: str, now: dt.datetime, until: dt.datetime,
          slot_minutes: int) -> list[dt.datetime]:
    since = now - dt.timedelta(minutes=slot_minutes)
    return [dt.datetime.fromisoformat(a["starts_at"])
            for a in rec.appointments(org_id, provider_id, now, since, until)]


def free_slots(org_id: str, now: dt.datetime) -> dict[str, Any]:
    """The bookable times of the next :data:`slots.DAYS` days, by provider (UTC)."""
    conf = settings(org_id)
    minutes = conf["slot_minutes"]
    until = now + dt.timedelta(days=slots.DAYS, minutes=minutes)
    found = []
    for person in providers(org_id):
        hours = conf["hours"].get(person["id"])
        if not hours:
            continue
        starts = slots.weekly_starts(hours, conf["time_zone"], minutes, now)
        open_ = slots.free(starts, _busy(org_id, person["id"], now, until, minutes), minutes)
        found.append({"id": person["id"], "name": person["name"],
                      "slots": [s.isoformat() for s in open_]})
    return {"slot_minutes": minutes, "days": slots.DAYS, "providers": found}


def book(org_id: str, org_name: str, provider_id: str, starts_at: dt.datetime, name: str,
         email: str, answers: dict[str, Any], now: dt.datetime,
         visitor_zone: str = "UTC", sender: str = "vclinic@localhost") -> dict[str, Any]:
    """Book one slot (in a transaction): a patient, an appointment for ``provider_id`` (it shows
    in their Scheduling), the booking row and the confirmation email with its invitation, whose
    text gives the time in ``visitor_zone``; ``sender`` (the From address) organises the event.
    409 ``slot_taken`` when the slot is no longer free, whoever took it."""
    conf = settings(org_id)
    minutes = conf["slot_minutes"]
    person = next((p for p in providers(org_id) if p["id"] == provider_id), None)
    hours = conf["hours"].get(provider_id) if person else None
    if person is None or not hours:
        raise NotFound("This provider takes no bookings.", code="provider_not_bookable")
    if starts_at not in slots.weekly_starts(hours, conf["time_zone"], minutes, now):
        raise BadRequest("This is not one of the calendar's times; choose a time shown.",
                         code="not_a_slot")
    until = starts_at + dt.timedelta(minutes=minutes)
    if not slots.free([starts_at], _busy(org_id, provider_id, now, until, minutes), minutes):
        raise Conflict(_TAKEN, code="slot_taken")
    patient = rec.create_patient(org_id, name, "")
    appointment = rec.create_appointment(org_id, starts_at, str(patient["id"]), [provider_id])
    try:
        with Booking._meta.database.atomic():
            row = Booking.create(organisation_id=org_id, provider_id=provider_id,
                                 starts_at=starts_at, appointment_id=appointment["id"],
                                 answers=answers)
    except peewee.IntegrityError:
        raise Conflict(_TAKEN, code="slot_taken") from None
    summary = f"Video visit with {person['name']} ({org_name})"
    invite = ics.invitation(row.id, starts_at, minutes, summary,
                            "Open the link in your confirmation from the clinic at the time "
                            "of your visit.", org_name, parseaddr(sender)[1] or sender, now)
    local = starts_at.astimezone(ZoneInfo(visitor_zone))
    when = f"{local:%A %d %B %Y at %H:%M} ({visitor_zone})"
    enqueue_email(email, CONFIRM_SUBJECT,
                  f"Hello {name},\n\nYour video visit with {person['name']} at {org_name} is "
                  f"booked for {when} ({minutes} minutes). The attached invitation adds it to "
                  "your calendar.\n", kind="on_demand.booked",
                  attachments=[("appointment.ics", "text/calendar", invite)])
    audit.record(org_id, None, "on_demand.booked", row.id, appointment["id"])
    return {"id": row.id, "starts_at": starts_at.isoformat(),
            "ends_at": until.isoformat(), "minutes": minutes,
            "provider": {"id": person["id"], "name": person["name"]}}


_TAKEN = "Sorry, someone has just booked this time. Please choose another."
