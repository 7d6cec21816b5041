"""Migration core:0003: telehealth sessions, participants, join links, guest sessions, and the
minimal patients, patient files and appointments sessions link to."""

from __future__ import annotations

import peewee

from vclinic.store.field import UTCDateTimeField
from vclinic.store.migration import Migration


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class _Organisation(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)

    class Meta:
        table_name = "organisations"


class _User(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)

    class Meta:
        table_name = "users"


class TelehealthSession(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    organisation = peewee.ForeignKeyField(_Organisation, on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    created_by = peewee.ForeignKeyField(_User, null=True, on_delete="SET NULL")
    scheduled_at = UTCDateTimeField(null=True)
    access_level = peewee.CharField(
        max_length=16,
        constraints=[peewee.Check("access_level IN ('private', 'internal', 'invitation')")])
    status = peewee.CharField(max_length=16,
                              constraints=[peewee.Check("status IN ('open', 'closed')")])
    patient_id = peewee.CharField(max_length=32, null=True)
    ends_at = UTCDateTimeField(null=True)
    workflow = peewee.CharField(max_length=64)
    created_at = UTCDateTimeField(index=True)
    closed_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "telehealth_sessions"


class Participant(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    session = peewee.ForeignKeyField(TelehealthSession, on_delete="CASCADE")
    user = peewee.ForeignKeyField(_User, null=True, on_delete="CASCADE")
    display_name = peewee.CharField(max_length=100)
    role = peewee.CharField(
        max_length=16, constraints=[peewee.Check("role IN ('chair', 'broadcaster', 'viewer')")])
    kind = peewee.CharField(max_length=16,
                            constraints=[peewee.Check("kind IN ('practice', 'guest')")])
    listed = peewee.BooleanField()
    state = peewee.CharField(max_length=16)
    removed = peewee.BooleanField()
    consent_recording = peewee.BooleanField()
    joined_at = UTCDateTimeField(null=True)
    left_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "session_participants"


class JoinLink(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    token_hash = peewee.CharField(max_length=64, unique=True)
    session = peewee.ForeignKeyField(TelehealthSession, on_delete="CASCADE")
    kind = peewee.CharField(max_length=16,
                            constraints=[peewee.Check("kind IN ('guest', 'practice')")])
    participant = peewee.ForeignKeyField(Participant, null=True, on_delete="CASCADE")
    revoked_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "session_links"


class GuestSession(_Base):
    id = peewee.CharField(max_length=64, primary_key=True)
    participant = peewee.ForeignKeyField(Participant, on_delete="CASCADE")
    session = peewee.ForeignKeyField(TelehealthSession, on_delete="CASCADE")
    csrf_token = peewee.CharField(max_length=64)
    created_at = UTCDateTimeField()
    expires_at = UTCDateTimeField()

    class Meta:
        table_name = "guest_sessions"


class Patient(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    organisation = peewee.ForeignKeyField(_Organisation, on_delete="CASCADE")
    display_name = peewee.CharField(max_length=200)
    external_ref = peewee.CharField(max_length=100)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "patients"


class PatientFile(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    patient = peewee.ForeignKeyField(Patient, on_delete="CASCADE")
    content_type = peewee.CharField(max_length=64)
    size = peewee.IntegerField()
    content = peewee.BlobField()
    captured_by = peewee.CharField(max_length=32, null=True)
    session_id = peewee.CharField(max_length=32, null=True)
    participant_id = peewee.CharField(max_length=32, null=True)
    created_at = UTCDateTimeField(index=True)

    class Meta:
        table_name = "patient_files"


class Appointment(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    organisation = peewee.ForeignKeyField(_Organisation, on_delete="CASCADE")
    patient = peewee.ForeignKeyField(Patient, null=True, on_delete="SET NULL")
    starts_at = UTCDateTimeField()
    session_id = peewee.CharField(max_length=32, null=True)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "appointments"


class AppointmentProvider(_Base):
    appointment = peewee.ForeignKeyField(Appointment, on_delete="CASCADE")
    user = peewee.ForeignKeyField(_User, on_delete="CASCADE")

    class Meta:
        table_name = "appointment_providers"
        primary_key = peewee.CompositeKey("appointment", "user")


TABLES = (TelehealthSession, Participant, JoinLink, GuestSession, Patient, PatientFile,
          Appointment, AppointmentProvider)


def apply(db: peewee.Database) -> None:
    with db.bind_ctx([_Organisation, _User, *TABLES]):
        db.create_tables(TABLES, safe=False)


MIGRATION = Migration("core:0003", apply, "telehealth sessions, links, guests, patients")
