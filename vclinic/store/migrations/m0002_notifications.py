"""Migration core:0002: in-portal notifications (the bell)."""

from __future__ import annotations

import peewee

from vclinic.store.field import JSONTextField, UTCDateTimeField
from vclinic.store.migration import Migration


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class Notification(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    user_id = peewee.CharField(max_length=32, index=True)
    kind = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=300)
    data = JSONTextField()
    created_at = UTCDateTimeField(index=True)
    read_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "notifications"
        indexes = ((("user_id", "read_at"), False),)


def apply(db: peewee.Database) -> None:
    with db.bind_ctx([Notification]):
        db.create_tables([Notification], safe=False)


MIGRATION = Migration("core:0002", apply, "notifications")
