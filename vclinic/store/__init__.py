"""The store: peewee models, migrations and the trio-facing :class:`Store` (see docs/store.md)."""

from __future__ import annotations

from vclinic.store import audit
from vclinic.store.database import Store, connect_url
from vclinic.store.field import JSONTextField, UTCDateTimeField, utcnow
from vclinic.store.migration import Migration, core_migrations, migrate
from vclinic.store.model import (
    MODELS,
    ROLES,
    ActorSnapshot,
    AuditEvent,
    AuditHead,
    AuthSession,
    BaseModel,
    Organisation,
    Service,
    User,
    UserRole,
    database,
)
from vclinic.store.snapshot import SnapshotStateStore

__all__ = [
    "MODELS",
    "ROLES",
    "ActorSnapshot",
    "AuditEvent",
    "AuditHead",
    "AuthSession",
    "BaseModel",
    "JSONTextField",
    "Migration",
    "Organisation",
    "Service",
    "SnapshotStateStore",
    "Store",
    "UTCDateTimeField",
    "User",
    "UserRole",
    "audit",
    "connect_url",
    "core_migrations",
    "database",
    "migrate",
    "utcnow",
]
