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


MODELS: tuple[type[BaseModel], ...] = (IntakeForm, QueueRequest, OnCall)


def _create(db: Any) -> None:
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS, safe=False)


MIGRATIONS = (Migration("on_demand:0001", _create, "on-demand intake forms, requests, on-call"),)
