"""The On-Demand tables: each organisation's intake questions, the requests in its queue and
which providers are On-Call; owned by the on_demand plugin, created by migration
``on_demand:0001``.

A request row is the state of record of one patient in the queue. Only the organisation's
QueueActor writes request rows (one at a time), so a row never disagrees with the live queue.
"""

from __future__ import annotations

from typing import Any

import peewee

from vclinic.api import BaseModel, JSONTextField, Migration, UTCDateTimeField, new_id, utcnow

ID = 32

#: Statuses of a request still in the queue; every other status is final.
ACTIVE = ("intake", "waiting")
FINAL = ("claimed", "declined", "abandoned")


class IntakeForm(BaseModel):
    """The setup guide an organisation asks patients to complete (admin-configured)."""

    organisation_id = peewee.CharField(max_length=ID, primary_key=True)
    fields = JSONTextField(default=list)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "on_demand_intake_forms"


class QueueRequest(BaseModel):
    """One patient's request to be seen now, from "Meet Now" to claimed, declined or gone."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id = peewee.CharField(max_length=ID)
    status = peewee.CharField(max_length=16, default="intake")
    name = peewee.CharField(max_length=100)
    email = peewee.CharField(max_length=254)
    #: The intake answers so far, ``{field key: value}`` (the case information).
    answers = JSONTextField(default=dict)
    #: SHA-256 of the patient's token (kept in their ``vclinic_od`` cookie).
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = UTCDateTimeField(default=utcnow)
    completed_at = UTCDateTimeField(null=True)
    assigned_to = peewee.CharField(max_length=ID, null=True)
    #: The patient's page is open (a socket is connected).
    present = peewee.BooleanField(default=False)
    #: When the patient's page closed; they leave the queue after the grace period.
    disconnected_at = UTCDateTimeField(null=True)
    ended_at = UTCDateTimeField(null=True)
    claimed_by = peewee.CharField(max_length=ID, null=True)
    session_id = peewee.CharField(max_length=ID, null=True)
    participant_id = peewee.CharField(max_length=ID, null=True)
    wait_seconds = peewee.FloatField(null=True)

    class Meta:
        table_name = "on_demand_requests"
        indexes = ((("organisation_id", "status", "created_at"), False),
                   (("organisation_id", "ended_at"), False))


class OnCall(BaseModel):
    """A provider who switched to On-Call (the row exists while they are)."""

    user_id = peewee.CharField(max_length=ID, primary_key=True)
    organisation_id = peewee.CharField(max_length=ID, index=True)
    since = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "on_demand_on_call"


class CalendarSettings(BaseModel):
    """The public calendar of an organisation (admin-configured): slot length, the time zone
    its weekly hours are written in, and each provider's weekly hours
    (``{user_id: [{"day", "start", "end"}]}``). Created by migration ``on_demand:0002``."""

    organisation_id = peewee.CharField(max_length=ID, primary_key=True)
    slot_minutes = peewee.IntegerField(default=30)
    time_zone = peewee.CharField(max_length=64, default="UTC")
    hours = JSONTextField(default=dict)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "on_demand_calendar_settings"


class Booking(BaseModel):
    """A slot a visitor booked on the public calendar, beside the appointment it created. The
    unique (provider, start) index is what makes two visitors racing for one slot have exactly
    one winner, on SQLite and PostgreSQL alike."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id = peewee.CharField(max_length=ID)
    provider_id = peewee.CharField(max_length=ID)
    starts_at = UTCDateTimeField()
    appointment_id = peewee.CharField(max_length=ID)
    #: The setup guide answers given when booking, ``{field key: value}``.
    answers = JSONTextField(default=dict)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "on_demand_bookings"
        indexes = ((("provider_id", "starts_at"), True),)


FIRST: tuple[type[BaseModel], ...] = (IntakeForm, QueueRequest, OnCall)
CALENDAR: tuple[type[BaseModel], ...] = (CalendarSettings, Booking)
MODELS: tuple[type[BaseModel], ...] = FIRST + CALENDAR


def _create(db: Any) -> None:
    with db.bind_ctx(FIRST):
        db.create_tables(FIRST, safe=False)


def _create_calendar(db: Any) -> None:
    with db.bind_ctx(CALENDAR):
        db.create_tables(CALENDAR, safe=False)


MIGRATIONS = (Migration("on_demand:0001", _create, "on-demand intake forms, requests, on-call"),
              Migration("on_demand:0002", _create_calendar,
                        "public calendar: weekly hours, slot length, bookings"))
