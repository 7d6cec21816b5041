"""The Visits tables: clients, service codes, visits, time records and the clients' guest
participants; owned by the visits plugin, created by migration ``visits.0001``.

Only a visit's VisitActor writes its visit row after creation, one message at a time, so an
invite, a reschedule and a clock-in never interleave on one node.
"""

from __future__ import annotations

from typing import Any

import peewee

from vclinic.api import BaseModel, Migration, UTCDateTimeField, new_id, utcnow

ID = 32


class Client(BaseModel):
    """A home-care client: the Demographics tab (the email is optional)."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id = peewee.CharField(max_length=ID, index=True)
    first_name = peewee.CharField(max_length=100)
    last_name = peewee.CharField(max_length=100)
    email = peewee.CharField(max_length=254, null=True)
    phone = peewee.CharField(max_length=40, null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "visits_clients"


class ServiceCode(BaseModel):
    """A service code; only visits whose code allows it are virtual visits."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id = peewee.CharField(max_length=ID, index=True)
    code = peewee.CharField(max_length=20)
    name = peewee.CharField(max_length=100)
    allows_virtual = peewee.BooleanField(default=False)

    class Meta:
        table_name = "visits_service_codes"
        indexes = ((("organisation_id", "code"), True),)


class Visit(BaseModel):
    """One scheduled visit of an employee (a provider of the organisation) to a client."""

    id = peewee.CharField(max_length=ID, primary_key=True, default=new_id)
    organisation_id = peewee.CharField(max_length=ID, index=True)
    client_id = peewee.CharField(max_length=ID)
    employee_id = peewee.CharField(max_length=ID, index=True)
    service_code_id = peewee.CharField(max_length=ID)
    starts_at = UTCDateTimeField()
    ends_at = UTCDateTimeField()
    #: ``scheduled`` or ``cancelled``.
    status = peewee.CharField(max_length=16, default="scheduled")
    #: The visit's virtual session on the core session model, once an invite created it.
    session_id = peewee.CharField(max_length=ID, null=True)
    #: Bumped when the time or the employee changes: links and guests of older generations
    #: stop working.
    invite_generation = peewee.IntegerField(default=0)
    #: The client's guest participant in the session for this generation (rejoins reuse it).
    client_participant_id = peewee.CharField(max_length=ID, null=True)
    last_invite_at = UTCDateTimeField(null=True)
    #: Set when the time changed after an invite went out: the next email says so.
    time_changed = peewee.BooleanField(default=False)
    #: The employee ended the virtual session (hang-up or clock-out): no new one opens.
    session_ended_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "visits_visits"


class TimeRecord(BaseModel):
    """The employee's clock in and clock out of one visit."""

    visit_id = peewee.CharField(max_length=ID, primary_key=True)
    employee_id = peewee.CharField(max_length=ID)
    clock_in_at = UTCDateTimeField()
    clock_out_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "visits_time_records"


class VisitSession(BaseModel):
    """Which visit a virtual session belongs to (join policies look sessions up here)."""

    session_id = peewee.CharField(max_length=ID, primary_key=True)
    visit_id = peewee.CharField(max_length=ID, index=True)

    class Meta:
        table_name = "visits_sessions"


class VisitInvite(BaseModel):
    """An invite link of a visit: the SHA-256 of its token and the generation it was made for.

    The token itself is ``HMAC(link key, visit id, generation)``, so "Copy invite link" shows the
    same link again; a newer generation (the time changed) makes the older links stop working.
    """

    token_hash = peewee.CharField(max_length=64, primary_key=True)
    visit_id = peewee.CharField(max_length=ID, index=True)
    generation = peewee.IntegerField()
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "visits_invites"


MODELS: tuple[type[BaseModel], ...] = (Client, ServiceCode, Visit, TimeRecord, VisitSession,
                                       VisitInvite)


def _create(database: Any) -> None:
    database.create_tables(list(MODELS))


MIGRATIONS = (Migration("visits.0001", _create, "clients, service codes, visits, time records"),)
