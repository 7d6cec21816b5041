"""The Public Conference tables (``conference_*``), created by migration ``conference.0001``:
event types, events, the people linked to an event (each with a personal link) and the event's
one public link. Only the SHA-256 of a link's token is stored."""

from __future__ import annotations

from typing import Any

import peewee

from vclinic.api import BaseModel, Migration, UTCDateTimeField, new_id, utcnow

ID = 32


class EventType(BaseModel):
    """A Schedule Event Type: "Public Conference" only when "Video Conferencing" is on."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id = peewee.CharField(max_length=ID, index=True)
    name = peewee.CharField(max_length=100)
    video_conferencing = peewee.BooleanField(default=False)
    public_conference = peewee.BooleanField(default=False)

    class Meta:
        table_name = "conference_event_types"
        indexes = ((("organisation_id", "name"), True),)


class Event(BaseModel):
    """A scheduled event of a type, optionally tied to a patient, with its session."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id = peewee.CharField(max_length=ID, index=True)
    type_id = peewee.CharField(max_length=ID)
    title = peewee.CharField(max_length=200)
    starts_at = UTCDateTimeField()
    minutes = peewee.IntegerField()
    patient_id = peewee.CharField(max_length=ID, null=True)
    #: ``scheduled`` or ``cancelled``.
    status = peewee.CharField(max_length=16, default="scheduled")
    #: The iCalendar SEQUENCE: bumped on every change and on cancel.
    sequence = peewee.IntegerField(default=0)
    session_id = peewee.CharField(max_length=ID, null=True)
    created_by = peewee.CharField(max_length=ID)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "conference_events"


class Member(BaseModel):
    """A staff member (a user of the organisation) or a patient linked to an event; their
    personal link's token hash identifies them."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    event_id = peewee.CharField(max_length=ID, index=True)
    #: ``staff`` or ``patient``.
    kind = peewee.CharField(max_length=8)
    user_id = peewee.CharField(max_length=ID, null=True)
    name = peewee.CharField(max_length=200)
    email = peewee.CharField(max_length=254, null=True)
    phone = peewee.CharField(max_length=40, null=True)
    token_hash = peewee.CharField(max_length=64, unique=True)
    #: The patient's guest participant in the session, once they followed their link.
    participant_id = peewee.CharField(max_length=ID, null=True)

    class Meta:
        table_name = "conference_members"


class PublicLink(BaseModel):
    """The one public link of an event whose type has Public Conference on."""

    event_id = peewee.CharField(max_length=ID, primary_key=True)
    token_hash = peewee.CharField(max_length=64, unique=True)

    class Meta:
        table_name = "conference_public_links"


MODELS: tuple[type[BaseModel], ...] = (EventType, Event, Member, PublicLink)


def _create(database: Any) -> None:
    database.create_tables(list(MODELS))


MIGRATIONS = (Migration("conference.0001", _create,
                        "event types, events, members and public links"),)
