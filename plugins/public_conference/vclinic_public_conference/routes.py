"""The REST API under ``/api/v1/conferences``: event types (admins), events and their links
(providers, staff and admins of the organisation)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import tag, validate_request

from vclinic.api import (
    BadRequest,
    Conflict,
    Forbidden,
    NewSession,
    Notice,
    User,
    current_principal,
    link_base,
    require_admin,
    require_staff,
    services,
    utcnow,
)
from vclinic_public_conference import message as m
from vclinic_public_conference import record, rules
from vclinic_public_conference.actor import KIND
from vclinic_public_conference.model import Event, EventType, Member, PublicLink

blueprint = Blueprint("public_conference_api", __name__, url_prefix="/api/v1/conferences")

_ID = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
EmailStr = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class EventTypeIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    video_conferencing: bool = False
    public_conference: bool = False


class PatientIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, min_length=3, max_length=40)


class EventIn(BaseModel):
    type_id: str = _ID
    title: str = Field(min_length=1, max_length=200)
    starts_at: dt.datetime
    duration_minutes: int = Field(ge=5, le=480)
    staff: list[str] = Field(default_factory=list, max_length=50)
    #: Optional mobile numbers of linked staff members, by user id, for "Send Staff Join Link
    #: by SMS" (the practice's user accounts hold no phone number).
    staff_phones: dict[str, Annotated[str, Field(min_length=3, max_length=40)]] = Field(
        default_factory=dict, max_length=50)
    patients: list[PatientIn] = Field(default_factory=list, max_length=50)
    patient_id: str | None = Field(default=None, min_length=1, max_length=32)


class EventPatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: dt.datetime | None = None
    duration_minutes: int | None = Field(default=None, ge=5, le=480)


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise BadRequest("A time needs a UTC offset.", code="invalid_time")
    return moment.astimezone(dt.UTC)


def _key() -> bytes:
    return services().sessions.link_key


# Event types (admins) ---------------------------------------------------------------------------


@blueprint.post("/event-types")
@tag(["conferences"])
@require_admin
@validate_request(EventTypeIn)
async def create_event_type(data: EventTypeIn) -> tuple[dict[str, Any], int]:
    """Schedule Event Type: "Public Conference" only when "Video Conferencing" is on."""
    if data.public_conference and not data.video_conferencing:
        raise BadRequest(rules.PUBLIC_NEEDS_VIDEO, code="public_needs_video")
    org_id = current_principal().org_id

    def save() -> EventType:
        if EventType.select().where(EventType.organisation_id == org_id,
                                    EventType.name == data.name).exists():
            raise Conflict("An event type with this name exists.", code="duplicate_name")
        return EventType.create(organisation_id=org_id, name=data.name,
                                video_conferencing=data.video_conferencing,
                                public_conference=data.public_conference)

    row = await services().store.atomic(save)
    return {"event_type": _type_body(row)}, 201


@blueprint.get("/event-types")
@tag(["conferences"])
@require_staff
async def list_event_types() -> dict[str, Any]:
    org_id = current_principal().org_id
    rows = await services().store.run(lambda: list(EventType.select().where(
        EventType.organisation_id == org_id).order_by(EventType.name)))
    return {"event_types": [_type_body(r) for r in rows]}


def _type_body(row: EventType) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "video_conferencing": row.video_conferencing,
            "public_conference": row.public_conference}


@blueprint.get("/staff")
@tag(["conferences"])
@require_staff
async def list_staff() -> dict[str, Any]:
    """The practice's active users an event can link (no requester stations), by name."""
    org_id = current_principal().org_id
    rows = await services().store.run(lambda: list(User.select().where(
        User.organisation == org_id, User.is_active, ~User.is_station).order_by(User.name)))
    return {"staff": [{"id": u.id, "name": u.name} for u in rows]}


# Events ---------------------------------------------------------------------------------------


@blueprint.post("")
@tag(["conferences"])
@require_staff
@validate_request(EventIn)
async def create_event(data: EventIn) -> tuple[dict[str, Any], int]:
    """Save an event: emails (with the calendar invitation) go to the linked staff members and
    patients; the reply carries the confirmation saying so."""
    p = current_principal()
    store = services().store
    starts_at = _aware(data.starts_at)
    staff_ids = list(dict.fromkeys(data.staff))

    def check() -> tuple[EventType, dict[str, Any]]:
        kind = record.event_type(p.org_id, data.type_id)
        users = record.staff_users(p.org_id, staff_ids)
        if data.patient_id is not None:
            record.check_patient(p.org_id, data.patient_id)
        return kind, users

    kind, users = await store.run(check)
    if not set(data.staff_phones) <= set(staff_ids):
        raise BadRequest("A phone number is given for someone who is not a linked staff member.",
                         code="unknown_staff")
    if not kind.video_conferencing:
        raise BadRequest(rules.NO_VIDEO, code="no_video_conferencing")
    created = await services().sessions.create(NewSession(
        org_id=p.org_id, creator_id=p.user_id, name=data.title, access_level="invitation",
        scheduled_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=data.duration_minutes),
        participants=tuple((u, "broadcaster") for u in staff_ids if u != p.user_id),
        patient_id=data.patient_id, workflow="public_conference"))
    session_id = created["session"]["id"]
    patients = [x.model_dump() for x in data.patients]
    event_id = await store.atomic(record.add_event, _key(), p.org_id, p.user_id, kind.id,
                                  " ".join(data.title.split()), starts_at,
                                  data.duration_minutes, data.patient_id, session_id, users,
                                  data.staff_phones, patients, link_base())
    services().mailer.wake()
    body = await _event_body(event_id)
    return {"event": body, "confirmation": rules.emails_will_be_sent(
        sum(m["kind"] == "staff" for m in body["members"]),
        sum(m["kind"] == "patient" for m in body["members"]))}, 201


@blueprint.get("")
@tag(["conferences"])
@require_staff
async def list_events() -> dict[str, Any]:
    """The Scheduler's main page: the organisation's scheduled events that have not ended yet,
    soonest first (at most 200), each with its people."""
    org_id = current_principal().org_id
    key, base = _key(), link_base()

    def upcoming() -> list[dict[str, Any]]:
        now = utcnow()
        rows = (Event.select().where(Event.organisation_id == org_id,
                                     Event.status == "scheduled",
                                     Event.starts_at > now - dt.timedelta(hours=8))
                .order_by(Event.starts_at).limit(200))
        return [record.body(key, row, base) for row in rows
                if row.starts_at + dt.timedelta(minutes=row.minutes) > now]

    return {"events": await services().store.run(upcoming)}


@blueprint.get("/<event_id>")
@tag(["conferences"])
@require_staff
async def get_event(event_id: str) -> dict[str, Any]:
    await services().store.run(record.event, current_principal().org_id, event_id)
    return {"event": await _event_body(event_id)}


@blueprint.patch("/<event_id>")
@tag(["conferences"])
@require_staff
@validate_request(EventPatch)
async def change_event(event_id: str, data: EventPatch) -> dict[str, Any]:
    """Change the title, start or duration (the organiser): everyone gets the updated
    invitation (same UID, next SEQUENCE)."""
    p = current_principal()
    changes: dict[str, Any] = {}
    if data.title is not None:
        changes["title"] = " ".join(data.title.split())
    if data.starts_at is not None:
        changes["starts_at"] = _aware(data.starts_at)
    if data.duration_minutes is not None:
        changes["minutes"] = data.duration_minutes
    if not changes:
        raise BadRequest("Nothing to change.", code="no_changes")
    # Only events of the caller's organisation reach (and wake) an actor.
    await services().store.run(record.event, p.org_id, event_id)
    await services().ref(KIND, event_id).call(m.Change(p, tuple(sorted(changes.items())),
                                                      link_base()))
    return {"event": await _event_body(event_id)}


@blueprint.post("/<event_id>/cancel")
@tag(["conferences"])
@require_staff
async def cancel_event(event_id: str) -> dict[str, Any]:
    """Cancel Conference (the organiser or an admin): everyone gets a cancellation, every link
    stops working and the session ends."""
    p = current_principal()
    await services().store.run(record.event, p.org_id, event_id)
    await services().ref(KIND, event_id).call(m.Cancel(p, link_base()))
    return {"event": await _event_body(event_id)}


@blueprint.get("/<event_id>/public-link")
@tag(["conferences"])
@require_staff
async def get_public_link(event_id: str) -> dict[str, Any]:
    """Get Public Conference Link: the one link for anyone outside the system."""
    row = await _open_event(event_id)
    exists = await services().store.run(
        lambda: PublicLink.select().where(PublicLink.event_id == row.id).exists())
    if not exists:
        raise Conflict(rules.NOT_PUBLIC, code="not_public")
    return {"link": record.public_link(link_base(), record.public_token(_key(), row.id))}


@blueprint.get("/<event_id>/my-link")
@tag(["conferences"])
@require_staff
async def get_my_link(event_id: str) -> dict[str, Any]:
    """Get My Conference Link: the caller's own personal link."""
    row = await _open_event(event_id)
    user_id = current_principal().user_id
    person = await services().store.run(lambda: Member.get_or_none(
        Member.event_id == row.id, Member.user_id == user_id))
    if person is None:
        raise Forbidden(rules.NOT_LINKED, code="not_linked")
    return {"link": record.link(link_base(), record.member_token(_key(), person.id))}


@blueprint.post("/<event_id>/join")
@tag(["conferences"])
@require_staff
async def join(event_id: str) -> dict[str, Any]:
    """Join Conference: where the signed-in staff member goes to enter the event's session."""
    row = await _open_event(event_id)
    return {"session_id": row.session_id, "next": f"/preview?session={row.session_id}"}


@blueprint.get("/<event_id>/members/<member_id>/link")
@tag(["conferences"])
@require_staff
async def copy_link(event_id: str, member_id: str) -> dict[str, Any]:
    """Copy Staff/Patient Join Link to Clipboard: the person's link and the confirmation."""
    row = await _open_event(event_id)
    person = await services().store.run(record.member, row.id, member_id)
    return {"link": record.link(link_base(), record.member_token(_key(), person.id)),
            "message": rules.COPIED}


@blueprint.post("/<event_id>/members/<member_id>/email")
@tag(["conferences"])
@require_staff
async def send_email(event_id: str, member_id: str) -> dict[str, Any]:
    """Send Staff/Patient Join Link by Email."""
    row = await _open_event(event_id)
    key = _key()

    def queue() -> None:
        person = record.member(row.id, member_id)
        if not person.email:
            raise Conflict(rules.NO_EMAIL, code="no_email")
        record.email_member(key, row, person, link_base())

    await services().store.atomic(queue)
    services().mailer.wake()
    return {"sent": "email"}


@blueprint.post("/<event_id>/members/<member_id>/sms")
@tag(["conferences"])
@require_staff
async def send_sms(event_id: str, member_id: str) -> dict[str, Any]:
    """Send Staff/Patient Join Link by SMS: a notice to the person's phone, which every
    channel that reaches phones delivers (in development ``sms_log``)."""
    row = await _open_event(event_id)
    person = await services().store.run(record.member, row.id, member_id)
    if not person.phone:
        raise Conflict(rules.NO_PHONE, code="no_phone")
    url = record.link(link_base(), record.member_token(_key(), person.id))
    await services().notifications.send(Notice(
        "conference.link", f"Your conference link: {url}", phone=person.phone,
        body=f"Your conference link: {url}",
        data={"event_id": row.id, "member_id": person.id}))
    return {"sent": "sms"}


async def _open_event(event_id: str) -> Event:
    row = await services().store.run(record.event, current_principal().org_id, event_id)
    if row.status == "cancelled":
        raise Conflict(rules.CANCELLED, code="conference_cancelled")
    return row


async def _event_body(event_id: str) -> dict[str, Any]:
    row = await services().store.run(Event.get_by_id, event_id)
    return await services().store.run(record.body, _key(), row, link_base())
