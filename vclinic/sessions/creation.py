"""Creating sessions: from Start a Session, and from an appointment's Create Telehealth Session.

Synchronous peewee functions run in one transaction through ``store.atomic``. The creator is the
session's first Session Chair; the people added are on the list (Broadcasters unless another
role is given) and are notified by the caller once the rows are committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from vclinic.errors import BadRequest, Conflict, NotFound
from vclinic.sessions import link, schedule
from vclinic.sessions.directory import check_patient, org_user_names
from vclinic.sessions.model import (
    Appointment,
    AppointmentProvider,
    Participant,
    Patient,
    TelehealthSession,
)
from vclinic.sessions.role import ACCESS_LEVELS, ROLES


@dataclasses.dataclass(frozen=True)
class NewSession:
    """What Start a Session (or an appointment) asks for."""

    org_id: str
    creator_id: str
    name: str
    access_level: str = "invitation"
    scheduled_at: dt.datetime | None = None
    #: When the call page's Time Left reaches zero (checked by :mod:`vclinic.sessions.timing`).
    ends_at: dt.datetime | None = None
    #: (user_id, role) of the Participants from Your Practice, creator excluded.
    participants: tuple[tuple[str, str], ...] = ()
    patient_id: str | None = None
    workflow: str = "sessions"
    #: Requester stations may be among the participants (the Virtual Clinic's requesters).
    allow_stations: bool = False


def create(key: bytes, new: NewSession) -> tuple[str, list[tuple[str, str]]]:
    """Create the session, its participants and its guest link; returns the session id and the
    (user_id, participant_id) of each person to notify."""
    name = " ".join(new.name.split())
    if not 1 <= len(name) <= 200:
        raise BadRequest("A session needs a name of 1 to 200 characters.", code="invalid_name")
    if new.access_level not in ACCESS_LEVELS:
        raise BadRequest("The access level must be private, internal or invitation.",
                         code="invalid_access_level")
    if any(role not in ROLES for _, role in new.participants):
        raise BadRequest("A role must be chair, broadcaster or viewer.", code="invalid_role")
    others = [(u, r) for u, r in new.participants if u != new.creator_id]
    names = org_user_names(new.org_id, [new.creator_id, *(u for u, _ in others)],
                           stations=new.allow_stations)
    if new.patient_id is not None:
        check_patient(new.org_id, new.patient_id)
    session = TelehealthSession.create(
        organisation=new.org_id, name=name, created_by=new.creator_id,
        scheduled_at=new.scheduled_at, access_level=new.access_level, status="open",
        patient_id=new.patient_id, workflow=new.workflow, ends_at=new.ends_at)
    Participant.create(session=session.id, user=new.creator_id,
                       display_name=names[new.creator_id], role="chair", kind="practice",
                       listed=True)
    invited = []
    for user_id, role in others:
        row = Participant.create(session=session.id, user=user_id, display_name=names[user_id],
                                 role=role, kind="practice", listed=True)
        invited.append((user_id, row.id))
    link.create_link(key, session.id)
    return session.id, invited


def create_appointment(org_id: str, starts_at: dt.datetime, patient_id: str | None,
                       provider_ids: list[str]) -> dict[str, Any]:
    if patient_id is not None:
        check_patient(org_id, patient_id)
    org_user_names(org_id, provider_ids)
    row = Appointment.create(organisation=org_id, patient=patient_id, starts_at=starts_at)
    for user_id in provider_ids:
        AppointmentProvider.create(appointment=row.id, user=user_id)
    return appointment(org_id, row.id, None)


def appointment(org_id: str, appointment_id: str, viewer_id: str | None) -> dict[str, Any]:
    """The Appointment Summary, with the proposed session: everyone on the appointment, the
    viewer as Session Chair, the others as Broadcasters, Invitation access."""
    row = Appointment.get_or_none(Appointment.id == appointment_id,
                                  Appointment.organisation == org_id)
    if row is None:
        raise NotFound("There is no such appointment.", code="appointment_not_found")
    providers = schedule.providers_of([row.id]).get(row.id, [])
    people = [{**p, "role": "chair" if p["user_id"] == viewer_id else "broadcaster"}
              for p in providers]
    patient = Patient.get_or_none(Patient.id == row.patient_id) if row.patient_id else None
    return {**schedule.appointment_body(row, patient, providers),
            "proposal": {"access_level": "invitation", "participants": people}}


def from_appointment(key: bytes, org_id: str, creator_id: str, appointment_id: str,
                     access_level: str, participants: tuple[tuple[str, str], ...] | None,
                     name: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """Create Telehealth Session on an appointment: linked to its patient, named ``name`` (the
    confirm dialog proposes one in the user's local time) or else by its time in UTC.
    ``participants`` is the confirmed invite list; None invites everyone on the appointment as
    Broadcasters, and an empty list nobody (the creator is the Session Chair either way)."""
    row = Appointment.get_or_none(Appointment.id == appointment_id,
                                  Appointment.organisation == org_id)
    if row is None:
        raise NotFound("There is no such appointment.", code="appointment_not_found")
    # One appointment, one session: a second Create Telehealth Session (a double click, a
    # second tab) leads to the open one instead of a duplicate.
    current = TelehealthSession.get_or_none(TelehealthSession.id == row.session_id) \
        if row.session_id else None
    if current is not None and current.status == "open":
        raise Conflict("This appointment already has a telehealth session.",
                       code="appointment_has_session", session_id=current.id,
                       next=f"/preview?session={current.id}")
    if participants is None:
        participants = tuple(
            (p.user_id, "broadcaster") for p in
            AppointmentProvider.select().where(AppointmentProvider.appointment == row.id))
    if name is None:
        name = f"{row.starts_at:%Y-%m-%d %H:%M} appointment"
    session_id, invited = create(key, NewSession(
        org_id=org_id, creator_id=creator_id, name=name, access_level=access_level,
        scheduled_at=row.starts_at, participants=participants, patient_id=row.patient_id))
    Appointment.update(session_id=session_id).where(Appointment.id == row.id).execute()
    return session_id, invited
