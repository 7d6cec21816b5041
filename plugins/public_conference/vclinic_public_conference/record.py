"""Synchronous reads and writes of the conference tables; run them with ``store.run`` (reads) or
``store.atomic`` (writes), each write in the transaction of the emails it sends."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from vclinic.api import (
    BadRequest,
    Conflict,
    NotFound,
    User,
    audit,
    enqueue_email,
    records,
    token_hash,
    utcnow,
)
from vclinic_public_conference import ics, rules
from vclinic_public_conference.model import Event, EventType, Member, PublicLink


def member_token(key: bytes, member_id: str) -> str:
    """A person's link token: the same link every time it is copied or sent."""
    return hmac.new(key, f"conference-member:{member_id}".encode(), hashlib.sha256).hexdigest()


def public_token(key: bytes, event_id: str) -> str:
    return hmac.new(key, f"conference-public:{event_id}".encode(), hashlib.sha256).hexdigest()


def event_type(org_id: str, type_id: str) -> EventType:
    row = EventType.get_or_none(EventType.id == type_id, EventType.organisation_id == org_id)
    if row is None:
        raise NotFound("There is no such event type.", code="event_type_not_found")
    return row


def event(org_id: str, event_id: str) -> Event:
    row = Event.get_or_none(Event.id == event_id, Event.organisation_id == org_id)
    if row is None:
        raise NotFound("There is no such event.", code="event_not_found")
    return row


def member(event_id: str, member_id: str) -> Member:
    row = Member.get_or_none(Member.id == member_id, Member.event_id == event_id)
    if row is None:
        raise NotFound("There is no such person on this event.", code="member_not_found")
    return row


def staff_users(org_id: str, user_ids: list[str]) -> dict[str, User]:
    """The active practice users ``user_ids`` of the organisation; 400 naming none of them
    when one is not."""
    found = {u.id: u for u in User.select().where(
        User.id.in_(user_ids), User.organisation == org_id, User.is_active,
        ~User.is_station)}
    if len(found) != len(set(user_ids)):
        raise BadRequest("A staff member is not a user of your practice.", code="unknown_staff")
    return found


def check_patient(org_id: str, patient_id: str) -> None:
    records.patient(org_id, patient_id)


def add_event(key: bytes, org_id: str, user_id: str, type_id: str, title: str,
              starts_at: dt.datetime, minutes: int, patient_id: str | None, session_id: str,
              staff: dict[str, User], staff_phones: dict[str, str],
              patients: list[dict[str, Any]], base_url: str) -> str:
    """Save the event, its members and their emails (one transaction)."""
    row = Event.create(organisation_id=org_id, type_id=type_id, title=title,
                       starts_at=starts_at, minutes=minutes, patient_id=patient_id,
                       session_id=session_id, created_by=user_id)
    for user in staff.values():
        _add_member(key, row.id, "staff", user.id, user.name, user.email,
                    staff_phones.get(user.id))
    for person in patients:
        _add_member(key, row.id, "patient", None, person["name"], person.get("email"),
                    person.get("phone"))
    if EventType.get_by_id(type_id).public_conference:
        PublicLink.create(event_id=row.id, token_hash=token_hash(public_token(key, row.id)))
    audit.record(org_id, user_id, "conference.event_saved", row.id)
    _email_all(key, row, base_url)
    return str(row.id)


def _add_member(key: bytes, event_id: str, kind: str, user_id: str | None, name: str,
                email: str | None, phone: str | None) -> None:
    row = Member.create(event_id=event_id, kind=kind, user_id=user_id, name=name, email=email,
                        phone=phone, token_hash="pending")
    Member.update(token_hash=token_hash(member_token(key, row.id))).where(
        Member.id == row.id).execute()


def change_event(key: bytes, org_id: str, user_id: str, event_id: str,
                 changes: dict[str, Any], base_url: str) -> None:
    row = event(org_id, event_id)
    if row.status == "cancelled":
        raise Conflict(rules.CANCELLED, code="conference_cancelled")
    Event.update(**changes, sequence=Event.sequence + 1).where(Event.id == row.id).execute()
    audit.record(org_id, user_id, "conference.event_changed", row.id)
    _email_all(key, Event.get_by_id(row.id), base_url)


def cancel_event(key: bytes, org_id: str, user_id: str, event_id: str, base_url: str,
                 ) -> Event:
    row = event(org_id, event_id)
    if row.status == "cancelled":
        return row
    Event.update(status="cancelled", sequence=Event.sequence + 1).where(
        Event.id == row.id).execute()
    audit.record(org_id, user_id, "conference.cancelled", row.id)
    fresh = Event.get_by_id(row.id)
    _email_all(key, fresh, base_url, cancel=True)
    return fresh


def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/conference/join/{token}"


def public_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/conference/public/{token}"


def _email_all(key: bytes, row: Event, base_url: str, *, cancel: bool = False) -> None:
    for person in Member.select().where(Member.event_id == row.id):
        if person.email:
            email_member(key, row, person, base_url, cancel=cancel)


def email_member(key: bytes, row: Event, person: Member, base_url: str, *,
                 cancel: bool = False) -> None:
    """Queue one person's email: their link and the calendar attachment."""
    when = f"{row.starts_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, {row.minutes} minutes"
    if cancel:
        subject = f"Conference cancelled: {row.title}"
        text = f"Hello {person.name},\n\nThe conference {row.title} ({when}) was cancelled.\n"
    else:
        subject = (f"Conference: {row.title}" if row.sequence == 0
                   else f"Conference changed: {row.title}")
        text = (f"Hello {person.name},\n\nYou are invited to the conference {row.title} "
                f"({when}).\n\nYour join link (it is yours only):\n"
                f"{link(base_url, member_token(key, person.id))}\n")
    attachment = ics.calendar(f"{row.id}@vclinic", row.sequence, row.starts_at, row.minutes,
                              row.title, "vclinic conference", utcnow(), cancel=cancel)
    enqueue_email(str(person.email), subject, text, kind="conference.invite",
                  attachments=[("invite.ics", "text/calendar; method="
                                + ("CANCEL" if cancel else "REQUEST"), attachment)])


def body(key: bytes, row: Event, base_url: str) -> dict[str, Any]:
    members = [{"id": p.id, "kind": p.kind, "user_id": p.user_id, "name": p.name,
                "has_email": bool(p.email), "has_phone": bool(p.phone),
                "joined": p.participant_id is not None}
               for p in Member.select().where(Member.event_id == row.id).order_by(Member.kind)]
    kind = EventType.get_by_id(row.type_id)
    return {"id": row.id, "type_id": row.type_id, "title": row.title,
            "starts_at": row.starts_at.isoformat(), "duration_minutes": row.minutes,
            "patient_id": row.patient_id, "status": row.status, "sequence": row.sequence,
            "session_id": row.session_id, "public_conference": kind.public_conference,
            "members": members}


def find_member(hashed: str) -> tuple[Member, Event] | None:
    person = Member.get_or_none(Member.token_hash == hashed)
    if person is None:
        return None
    return person, Event.get_by_id(person.event_id)


def find_public(hashed: str) -> Event | None:
    row = PublicLink.get_or_none(PublicLink.token_hash == hashed)
    return None if row is None else Event.get_by_id(row.event_id)
