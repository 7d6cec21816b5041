"""Provider → Scheduling's list: the appointments of the practice a provider is scheduled to.

Synchronous peewee functions run through ``store.run``. The bodies carry the patient's display
name, for the practice's own API only (never in URLs, logs or error messages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from vclinic.errors import BadRequest
from vclinic.sessions.model import Appointment, AppointmentProvider, Patient
from vclinic.store import User

#: An appointment that started less than this long ago still counts as upcoming: it is the one
#: a provider is about to start a telehealth session for.
STARTED_RECENTLY = dt.timedelta(hours=1)
MAX_LISTED = 200


def appointment_body(row: Appointment, patient: Patient | None,
                     providers: list[dict[str, str]]) -> dict[str, Any]:
    """The JSON shape of an appointment in the list and in the Appointment Summary."""
    return {"id": row.id, "starts_at": row.starts_at.isoformat(),
            "patient": {"id": patient.id, "display_name": patient.display_name}
            if patient else None,
            "providers": providers, "session_id": row.session_id}


def listing(org_id: str, user_id: str, now: dt.datetime, since: dt.datetime | None = None,
            until: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The appointments of ``org_id`` that ``user_id`` is one of the providers of, starting in
    [``since``, ``until``): upcoming ones first, soonest first, then earlier ones, latest
    first."""
    if since is not None and until is not None and until <= since:
        raise BadRequest("The end of the date range must be after its start.",
                         code="invalid_range")
    mine = AppointmentProvider.select(AppointmentProvider.appointment).where(
        AppointmentProvider.user == user_id)
    query = Appointment.select().where(Appointment.organisation == org_id,
                                       Appointment.id.in_(mine))
    if since is not None:
        query = query.where(Appointment.starts_at >= since)
    if until is not None:
        query = query.where(Appointment.starts_at < until)
    cutoff = now - STARTED_RECENTLY
    upcoming = list(query.where(Appointment.starts_at >= cutoff)
                    .order_by(Appointment.starts_at, Appointment.id).limit(MAX_LISTED))
    earlier = list(query.where(Appointment.starts_at < cutoff)
                   .order_by(Appointment.starts_at.desc(), Appointment.id)
                   .limit(MAX_LISTED - len(upcoming)))
    rows = upcoming + earlier
    patient_ids = {r.patient_id for r in rows if r.patient_id}
    patients = {p.id: p for p in Patient.select().where(Patient.id.in_(list(patient_ids)))}
    people = providers_of([r.id for r in rows])
    return [appointment_body(r, patients.get(r.patient_id or ""), people.get(r.id, []))
            for r in rows]


def providers_of(appointment_ids: list[str]) -> dict[str, list[dict[str, str]]]:
    """The providers of each appointment, by name: ``{appointment_id: [{user_id, name}]}``."""
    found: dict[str, list[dict[str, str]]] = {}
    if not appointment_ids:
        return found
    rows = cast("Iterable[tuple[str, str, str]]", (
        AppointmentProvider.select(AppointmentProvider.appointment, User.id, User.name)
        .join(User, on=(AppointmentProvider.user == User.id))
        .where(AppointmentProvider.appointment.in_(appointment_ids))
        .order_by(User.name).tuples()))
    for appointment_id, provider_id, name in rows:
        found.setdefault(appointment_id, []).append({"user_id": provider_id, "name": name})
    return found
