"""Migration core:0005: session recordings and their files (one WebM per recorded participant)."""

from __future__ import annotations

import peewee

from vclinic.store.field import JSONTextField, UTCDateTimeField
from vclinic.store.migration import Migration


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class _Session(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)

    class Meta:
        table_name = "telehealth_sessions"


class SessionRecording(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    session = peewee.ForeignKeyField(_Session, on_delete="CASCADE")
    status = peewee.CharField(
        max_length=16, index=True,
        constraints=[peewee.Check("status IN ('recording', 'complete', 'interrupted')")])
    directory = peewee.CharField(max_length=200)
    started_by = peewee.CharField(max_length=32, null=True)
    started_by_name = peewee.CharField(max_length=100)
    stopped_by = peewee.CharField(max_length=32, null=True)
    stopped_by_name = peewee.CharField(max_length=100, null=True)
    stop_reason = peewee.CharField(max_length=32, null=True)
    patient_id = peewee.CharField(max_length=32, null=True, index=True)
    duration = peewee.FloatField(null=True)
    participants = JSONTextField()
    started_at = UTCDateTimeField()
    stopped_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "session_recordings"


class RecordingFile(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    recording = peewee.ForeignKeyField(SessionRecording, on_delete="CASCADE")
    participant_id = peewee.CharField(max_length=32)
    display_name = peewee.CharField(max_length=100)
    path = peewee.CharField(max_length=300)
    content_type = peewee.CharField(max_length=64)
    size = peewee.BigIntegerField()
    duration = peewee.FloatField(null=True)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "session_recording_files"


_MODELS = [SessionRecording, RecordingFile]


def apply(db: peewee.Database) -> None:
    with db.bind_ctx([_Session, *_MODELS]):
        db.create_tables(_MODELS, safe=False)


MIGRATION = Migration("core:0005", apply, "session recordings")
