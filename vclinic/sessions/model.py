"""The session model's tables: telehealth sessions, participants, join links, guests' cookie
sessions, the minimal patients, patient files and appointments a session links to, and the
session's recordings.

Owned by the core (:mod:`vclinic.sessions`); every workflow's meetings are rows here. Tables are
created by migration ``core:0003`` (``vclinic/store/migrations/m0003_sessions.py``), never from
these classes. Guests have no ``User`` row: a guest is a ``Participant`` of kind ``guest`` with a
``GuestSession`` (their cookie) bound to that one session.
"""

from __future__ import annotations

import peewee

from vclinic.ids import new_id
from vclinic.store import BaseModel, Organisation, User
from vclinic.store.field import JSONTextField, UTCDateTimeField, utcnow

ID = 32


class TelehealthSession(BaseModel):
    """A meeting: open until a Session Chair closes it; its links work while it is open."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id: str  # set by the foreign key (for type checkers)
    organisation = peewee.ForeignKeyField(Organisation, on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    created_by_id: str | None  # set by the foreign key (for type checkers)
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    scheduled_at = UTCDateTimeField(null=True)
    access_level = peewee.CharField(max_length=16, default="invitation")
    status = peewee.CharField(max_length=16, default="open")
    patient_id = peewee.CharField(max_length=ID, null=True)
    ends_at = UTCDateTimeField(null=True)
    #: The workflow that created it (``sessions``, ``virtual_clinic``, ``on_demand``...).
    workflow = peewee.CharField(max_length=64, default="sessions")
    created_at = UTCDateTimeField(default=utcnow)
    closed_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "telehealth_sessions"


class Participant(BaseModel):
    """Someone in a session: a practice user (``user`` set) or a guest (no user)."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    session_id: str  # set by the foreign key (for type checkers)
    session = peewee.ForeignKeyField(TelehealthSession, backref="participants",
                                     on_delete="CASCADE")
    user_id: str | None  # set by the foreign key (for type checkers)
    user = peewee.ForeignKeyField(User, null=True, on_delete="CASCADE")
    display_name = peewee.CharField(max_length=100)
    role = peewee.CharField(max_length=16, default="broadcaster")
    kind = peewee.CharField(max_length=16, default="practice")
    #: On the Participants from Your Practice list (invited), as opposed to joined by link.
    listed = peewee.BooleanField(default=False)
    state = peewee.CharField(max_length=16, default="invited")
    #: Removed by a chair or by an access change: may not enter again as this participant.
    removed = peewee.BooleanField(default=False)
    consent_recording = peewee.BooleanField(default=False)
    joined_at = UTCDateTimeField(null=True)
    left_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "session_participants"


class JoinLink(BaseModel):
    """A session link: the SHA-256 of its random token, never the token; revocable."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    token_hash = peewee.CharField(max_length=64, unique=True)
    session_id: str  # set by the foreign key (for type checkers)
    session = peewee.ForeignKeyField(TelehealthSession, backref="links", on_delete="CASCADE")
    kind = peewee.CharField(max_length=16, default="guest")
    participant_id: str | None  # set by the foreign key (for type checkers)
    participant = peewee.ForeignKeyField(Participant, null=True, on_delete="CASCADE")
    revoked_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "session_links"


class GuestSession(BaseModel):
    """A guest's cookie session: the SHA-256 of the cookie token, bound to one participant of
    one session; it ends when the session closes or the guest is removed."""

    id = peewee.CharField(max_length=64, primary_key=True)
    participant_id: str  # set by the foreign key (for type checkers)
    participant = peewee.ForeignKeyField(Participant, on_delete="CASCADE")
    session_id: str  # set by the foreign key (for type checkers)
    session = peewee.ForeignKeyField(TelehealthSession, on_delete="CASCADE")
    csrf_token = peewee.CharField(max_length=64)
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField()

    class Meta:
        table_name = "guest_sessions"


class Patient(BaseModel):
    """A patient of the practice, minimal: enough to link a session and file captures."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id: str  # set by the foreign key (for type checkers)
    organisation = peewee.ForeignKeyField(Organisation, on_delete="CASCADE")
    display_name = peewee.CharField(max_length=200)
    external_ref = peewee.CharField(max_length=100, default="")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "patients"


class PatientFile(BaseModel):
    """An image in a patient's Files, such as one captured from a participant's video."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    patient_id: str  # set by the foreign key (for type checkers)
    patient = peewee.ForeignKeyField(Patient, backref="files", on_delete="CASCADE")
    content_type = peewee.CharField(max_length=64)
    size = peewee.IntegerField()
    content = peewee.BlobField()
    captured_by = peewee.CharField(max_length=ID, null=True)
    session_id = peewee.CharField(max_length=ID, null=True)
    participant_id = peewee.CharField(max_length=ID, null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "patient_files"


class Appointment(BaseModel):
    """A scheduled appointment, minimal: a patient, the providers on it and a time."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id: str  # set by the foreign key (for type checkers)
    organisation = peewee.ForeignKeyField(Organisation, on_delete="CASCADE")
    patient_id: str | None  # set by the foreign key (for type checkers)
    patient = peewee.ForeignKeyField(Patient, null=True, on_delete="SET NULL")
    starts_at = UTCDateTimeField()
    session_id = peewee.CharField(max_length=ID, null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "appointments"


class AppointmentProvider(BaseModel):
    """One provider scheduled to one appointment."""

    appointment_id: str  # set by the foreign key (for type checkers)
    appointment = peewee.ForeignKeyField(Appointment, backref="providers", on_delete="CASCADE")
    user_id: str  # set by the foreign key (for type checkers)
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")

    class Meta:
        table_name = "appointment_providers"
        primary_key = peewee.CompositeKey("appointment", "user")


class SessionRecording(BaseModel):
    """One recording of a session, from start to stop: who started and stopped it, who is in
    it (``participants``: ``[{"id", "display_name"}]``), how long it ran, and the patient the
    session was linked to when it stopped. ``status`` is ``recording``, ``complete``, or
    ``interrupted`` (the media worker died or the node stopped: the part written is kept).
    ``directory`` is relative to ``data_dir``. Created by migration ``core:0005``."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    session_id: str  # set by the foreign key (for type checkers)
    session = peewee.ForeignKeyField(TelehealthSession, backref="recordings",
                                     on_delete="CASCADE")
    status = peewee.CharField(max_length=16, default="recording")
    directory = peewee.CharField(max_length=200)
    started_by = peewee.CharField(max_length=ID, null=True)
    started_by_name = peewee.CharField(max_length=100)
    stopped_by = peewee.CharField(max_length=ID, null=True)
    stopped_by_name = peewee.CharField(max_length=100, null=True)
    stop_reason = peewee.CharField(max_length=32, null=True)
    patient_id = peewee.CharField(max_length=ID, null=True)
    duration = peewee.FloatField(null=True)
    participants = JSONTextField(default=list)
    started_at = UTCDateTimeField(default=utcnow)
    stopped_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "session_recordings"


class RecordingFile(BaseModel):
    """One participant's WebM (VP8 + Opus) of a recording; ``path`` is relative to
    ``data_dir`` and never leaves the server (downloads go by the random ``id``)."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    recording_id: str  # set by the foreign key (for type checkers)
    recording = peewee.ForeignKeyField(SessionRecording, backref="files", on_delete="CASCADE")
    participant_id = peewee.CharField(max_length=ID)
    display_name = peewee.CharField(max_length=100)
    path = peewee.CharField(max_length=300)
    content_type = peewee.CharField(max_length=64, default="video/webm")
    size = peewee.BigIntegerField()
    duration = peewee.FloatField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "session_recording_files"


MODELS: tuple[type[BaseModel], ...] = (
    TelehealthSession, Participant, JoinLink, GuestSession, Patient, PatientFile, Appointment,
    AppointmentProvider, SessionRecording, RecordingFile,
)
