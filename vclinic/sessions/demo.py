"""The demo clinic's schedule: two fictional patients and appointments for today and tomorrow
with Dr Ada Lovelace and Dr Grace Hopper, seeded by ``vclinic serve --demo`` after the accounts
(:func:`vclinic.accounts.demo.seed_demo`).

Seeding is idempotent, like the rest of the demo: a demo patient is found by its external
reference, an appointment by its patient, its day (UTC) and its first provider. What exists is
left alone, what is missing is created, so a demo started on a later day gets appointments for
that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from vclinic.sessions.model import Appointment, AppointmentProvider, Patient
from vclinic.store import User


@dataclasses.dataclass(frozen=True)
class DemoPatient:
    """A fictional patient; ``ref`` is its external reference, how seeding finds it again."""

    ref: str
    display_name: str


@dataclasses.dataclass(frozen=True)
class DemoAppointment:
    """An appointment ``day`` days after the seeding day; at ``time`` (UTC), or, when ``time``
    is None, at the next half hour at least 30 minutes after seeding (so it is upcoming)."""

    patient_ref: str
    provider_emails: tuple[str, ...]
    day: int
    time: dt.time | None = None


DEMO_PATIENTS = (
    DemoPatient("DEMO-1", "Sam Sample (demo patient)"),
    DemoPatient("DEMO-2", "Robin Example (demo patient)"),
)
DEMO_APPOINTMENTS = (
    DemoAppointment("DEMO-1", ("dr.ada@demo.clinic", "dr.grace@demo.clinic"), day=0),
    DemoAppointment("DEMO-2", ("dr.ada@demo.clinic",), day=1, time=dt.time(9, 30)),
    DemoAppointment("DEMO-1", ("dr.grace@demo.clinic",), day=1, time=dt.time(14, 0)),
)


def _soon(now: dt.datetime) -> dt.datetime:
    start = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return start if start - now >= dt.timedelta(minutes=30) else start + dt.timedelta(minutes=30)


def _starts_at(spec: DemoAppointment, now: dt.datetime) -> dt.datetime:
    if spec.time is None:
        return _soon(now) + dt.timedelta(days=spec.day)
    day = now.date() + dt.timedelta(days=spec.day)
    return dt.datetime.combine(day, spec.time, tzinfo=dt.UTC)


def seed_schedule(org_id: str, now: dt.datetime) -> list[str]:
    """Create the demo patients and appointments of ``org_id`` that are missing (run in one
    transaction through ``store.atomic``); returns what it created, by reference and date,
    never by a patient's name."""
    created: list[str] = []
    patients: dict[str, str] = {}
    for demo in DEMO_PATIENTS:
        found = Patient.get_or_none(Patient.organisation == org_id,
                                    Patient.external_ref == demo.ref)
        if found is None:
            found = Patient.create(organisation=org_id, display_name=demo.display_name,
                                   external_ref=demo.ref)
            created.append(f"patient:{demo.ref}")
        patients[demo.ref] = found.id
    emails = {e for spec in DEMO_APPOINTMENTS for e in spec.provider_emails}
    users = {u.email: u.id for u in User.select(User.id, User.email).where(
        User.organisation == org_id, User.email.in_(sorted(emails)))}
    for spec in DEMO_APPOINTMENTS:
        lead = users.get(spec.provider_emails[0])
        if lead is None:
            continue
        starts_at = _starts_at(spec, now)
        midnight = dt.datetime.combine(starts_at.date(), dt.time(), tzinfo=dt.UTC)
        row = (Appointment.select().join(AppointmentProvider).where(
            Appointment.organisation == org_id,
            Appointment.patient == patients[spec.patient_ref],
            Appointment.starts_at >= midnight,
            Appointment.starts_at < midnight + dt.timedelta(days=1),
            AppointmentProvider.user == lead).first())
        if row is None:
            row = Appointment.create(organisation=org_id, patient=patients[spec.patient_ref],
                                     starts_at=starts_at)
            created.append(f"appointment:{spec.patient_ref}:{starts_at:%Y-%m-%d}")
        on_it = {p.user_id for p in AppointmentProvider.select().where(
            AppointmentProvider.appointment == row.id)}
        for email in spec.provider_emails:
            if email in users and users[email] not in on_it:
                AppointmentProvider.create(appointment=row.id, user=users[email])
    return created
