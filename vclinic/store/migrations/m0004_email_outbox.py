"""Migration core:0004: the email outbox, delivered by the Mailer with retries."""

from __future__ import annotations

import peewee

from vclinic.store.field import JSONTextField, UTCDateTimeField
from vclinic.store.migration import Migration


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class OutboxEmail(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    to_address = peewee.CharField(max_length=254)
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
    attachments = JSONTextField()
    kind = peewee.CharField(max_length=64)
    status = peewee.CharField(max_length=16, index=True)
    attempts = peewee.IntegerField()
    next_attempt_at = UTCDateTimeField(index=True)
    last_error = peewee.CharField(max_length=200, null=True)
    created_at = UTCDateTimeField()
    sent_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "outbox_emails"


def apply(db: peewee.Database) -> None:
    with db.bind_ctx([OutboxEmail]):
        db.create_tables([OutboxEmail], safe=False)


MIGRATION = Migration("core:0004", apply, "email outbox")
