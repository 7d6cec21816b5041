"""Migration core:0001: organisations, users and roles, services, sign-in sessions, actor
snapshots and audit events."""

from __future__ import annotations

import peewee

from vclinic.store.field import JSONTextField, UTCDateTimeField
from vclinic.store.migration import Migration


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class Organisation(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    slug = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=200)
    settings = JSONTextField()
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "organisations"


class User(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    organisation = peewee.ForeignKeyField(Organisation, on_delete="CASCADE")
    email = peewee.CharField(max_length=254, unique=True)
    name = peewee.CharField(max_length=200)
    password_hash = peewee.CharField(max_length=255)
    is_active = peewee.BooleanField()
    is_station = peewee.BooleanField()
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "users"


class UserRole(_Base):
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    role = peewee.CharField(
        max_length=16,
        constraints=[peewee.Check("role IN ('admin', 'provider', 'staff', 'requester')")],
    )

    class Meta:
        table_name = "user_roles"
        primary_key = peewee.CompositeKey("user", "role")


class Service(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    organisation = peewee.ForeignKeyField(Organisation, on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    is_active = peewee.BooleanField()

    class Meta:
        table_name = "services"
        indexes = ((("organisation", "name"), True),)


class AuthSession(_Base):
    id = peewee.CharField(max_length=64, primary_key=True)
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    csrf_token = peewee.CharField(max_length=64)
    created_at = UTCDateTimeField()
    last_seen_at = UTCDateTimeField()
    idle_timeout_s = peewee.IntegerField()
    absolute_expires_at = UTCDateTimeField()

    class Meta:
        table_name = "auth_sessions"


class ActorSnapshot(_Base):
    address = peewee.CharField(max_length=255, primary_key=True)
    state = JSONTextField()
    version = peewee.IntegerField()
    updated_at = UTCDateTimeField()

    class Meta:
        table_name = "actor_snapshots"


class AuditEvent(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    organisation = peewee.ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
    actor_id = peewee.CharField(max_length=32, null=True)
    action = peewee.CharField(max_length=64)
    target_ids = JSONTextField()
    created_at = UTCDateTimeField(index=True)

    class Meta:
        table_name = "audit_events"


_MODELS = [Organisation, User, UserRole, Service, AuthSession, ActorSnapshot, AuditEvent]


def apply(db: peewee.Database) -> None:
    with db.bind_ctx(_MODELS):
        db.create_tables(_MODELS, safe=False)


MIGRATION = Migration("core:0001", apply, "organisations, users, roles, services, sessions")
