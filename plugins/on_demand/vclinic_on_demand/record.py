"""Request rows: the synchronous store functions the QueueActor and the routes run through
``store.run``/``store.atomic``. No patient data in errors or logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vclinic.api import (
    NotFound,
    Organisation,
    User,
    audit,
    enqueue_email,
    token_hash,
    utcnow,
)
from vclinic_on_demand import intake
from vclinic_on_demand.model import ACTIVE, IntakeForm, OnCall, QueueRequest
from vclinic_on_demand.state import RECENT_WAITS, Entry

DECLINE_SUBJECT = "Your request to see a provider was declined"


def org_by_slug(slug: str) -> Organisation:
    org = Organisation.get_or_none(Organisation.slug == slug)
    if org is None:
        raise NotFound("There is no such organisation.", code="organisation_not_found")
    return org


def fields(org_id: str) -> list[dict[str, Any]]:
    row = IntakeForm.get_or_none(IntakeForm.organisation_id == org_id)
    return list(row.fields) if row is not None and row.fields else list(intake.DEFAULT_FIELDS)


def save_fields(org_id: str, actor_id: str, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the organisation's setup guide, audited as done by ``actor_id`` (in a
    transaction)."""
    (IntakeForm.insert(organisation_id=org_id, fields=new, updated_at=utcnow())
     .on_conflict(conflict_target=[IntakeForm.organisation_id],
                  update={IntakeForm.fields: new, IntakeForm.updated_at: utcnow()}).execute())
    audit.record(org_id, actor_id, "on_demand.intake_changed", org_id)
    return new


def by_token(token: str) -> QueueRequest | None:
    if not token or len(token) > 128:
        return None
    row: QueueRequest | None = QueueRequest.get_or_none(QueueRequest.token_hash ==
                                                        token_hash(token))
    return row


def load(org_id: str) -> tuple[list[Entry], list[float], list[QueueRequest]]:
    """The active entries (arrival order), recent waits, and rows whose grace must be re-armed."""
    rows = list(QueueRequest.select().where(QueueRequest.organisation_id == org_id,
                                            QueueRequest.status.in_(ACTIVE))
                .order_by(QueueRequest.created_at))
    entries = [Entry(id=r.id, name=r.name, email=r.email, created_at=r.created_at,
                     status=r.status, answers=dict(r.answers or {}),
                     completed_at=r.completed_at, assigned_to=r.assigned_to,
                     disconnected_at=r.disconnected_at) for r in rows]
    waits = [float(r.wait_seconds or 0.0) for r in QueueRequest.select(QueueRequest.wait_seconds)
             .where(QueueRequest.organisation_id == org_id, QueueRequest.status == "claimed",
                    QueueRequest.wait_seconds.is_null(False))
             .order_by(QueueRequest.ended_at.desc()).limit(RECENT_WAITS)]
    waits.reverse()
    return entries, waits, [r for r in rows if r.present or r.disconnected_at is not None]


def mark_restarted(org_id: str, now: dt.datetime) -> None:
    """After a restart nobody's page is connected: those who were start their grace now."""
    QueueRequest.update(present=False, disconnected_at=now).where(
        QueueRequest.organisation_id == org_id, QueueRequest.status.in_(ACTIVE),
        QueueRequest.present == True).execute()  # noqa: E712 - peewee expression


def insert(org_id: str, entry: Entry, hashed: str) -> None:
    QueueRequest.create(id=entry.id, organisation_id=org_id, status=entry.status,
                        name=entry.name, email=entry.email, answers={}, token_hash=hashed,
                        created_at=entry.created_at)


def update(request_id: str, **changes: Any) -> None:
    QueueRequest.update(**changes).where(QueueRequest.id == request_id).execute()


def decline(request_id: str, email: str, org_name: str, now: dt.datetime) -> str | None:
    """Record the decline and queue its email in one transaction; the user id of the patient's
    account (same email), if they have one, for the bell."""
    update(request_id, status="declined", ended_at=now, present=False)
    enqueue_email(email, DECLINE_SUBJECT,
                  f"{org_name} could not take your on-demand request this time.\n\n"
                  "Please try again later, or contact the clinic to book an appointment.\n",
                  kind="on_demand.declined")
    user = User.get_or_none(User.email == email)
    return user.id if user is not None else None


def is_on_call(user_id: str) -> bool:
    return OnCall.select().where(OnCall.user_id == user_id).exists()  # type: ignore[no-any-return]


def set_on_call(org_id: str, user_id: str, on: bool) -> bool:
    if on:
        OnCall.insert(user_id=user_id, organisation_id=org_id, since=utcnow()).on_conflict(
            conflict_target=[OnCall.user_id], update={OnCall.since: utcnow()}).execute()
    else:
        OnCall.delete().where(OnCall.user_id == user_id).execute()
    return on


def on_call_providers(org_id: str) -> list[dict[str, Any]]:
    rows = (User.select(User.id, User.name, OnCall.since)
            .join(OnCall, on=(OnCall.user_id == User.id))
            .where(OnCall.organisation_id == org_id).order_by(User.name).objects())
    return [{"id": u.id, "name": u.name, "since": u.since.isoformat()}  # type: ignore[attr-defined]
            for u in rows]


def active_orgs() -> list[str]:
    return [r.organisation_id for r in QueueRequest.select(QueueRequest.organisation_id)
            .where(QueueRequest.status.in_(ACTIVE)).distinct()]


def queue_statistics() -> tuple[int, float]:
    """Patients waiting in every queue of the node's database, and the longest wait so far in
    seconds (0 when nobody waits), for metrics."""
    now = utcnow()
    waiting = QueueRequest.select().where(QueueRequest.status == "waiting")
    first = waiting.order_by(QueueRequest.created_at).first()
    longest = (now - (first.completed_at or first.created_at)).total_seconds() if first else 0.0
    return waiting.count(), max(0.0, longest)
