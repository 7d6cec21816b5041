"""The core peewee models: organisations, users and roles, services, sign-in sessions, actor
snapshots and audit events.

Every model binds to :data:`database`, a proxy that :meth:`vclinic.store.Store.open` points at the
real database; plugins derive their models from :class:`BaseModel` so they bind to it too. The
tables themselves are created by migrations (``vclinic/store/migrations/``), never from these
classes, so that a model can change only together with a migration.
"""

from __future__ import annotations

import peewee

from vclinic.ids import new_id
from vclinic.store.field import JSONTextField, UTCDateTimeField, utcnow

#: The database every model is bound to; initialised by ``Store.open``.
database = peewee.DatabaseProxy()

#: Roles a user can hold, in the order the UI lists them.
ROLES: tuple[str, ...] = ("admin", "provider", "staff", "requester")

ID_LENGTH = 32


def _role_check() -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"


class BaseModel(peewee.Model):
    """Base of every vclinic model, core or plugin: bound to the shared database proxy."""

    class Meta:
        database = database
        legacy_table_names = False


class Organisation(BaseModel):
    """A clinic or practice; everything else belongs to one."""

    id = peewee.CharField(max_length=ID_LENGTH, primary_key=True, default=new_id)
    slug = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=200)
    settings = JSONTextField(default=dict)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "organisations"


class User(BaseModel):
    """A person (or a requester station) who signs in; email is stored lowercased."""

    id = peewee.CharField(max_length=ID_LENGTH, primary_key=True, default=new_id)
    organisation_id: str  # set by the foreign key (for type checkers)
    organisation = peewee.ForeignKeyField(Organisation, backref="users", on_delete="CASCADE")
    email = peewee.CharField(max_length=254, unique=True)
    name = peewee.CharField(max_length=200, default="")
    password_hash = peewee.CharField(max_length=255)
    is_active = peewee.BooleanField(default=True)
    is_station = peewee.BooleanField(default=False)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "users"


class UserRole(BaseModel):
    """One role held by one user."""

    user_id: str  # set by the foreign key (for type checkers)
    user = peewee.ForeignKeyField(User, backref="role_rows", on_delete="CASCADE")
    role = peewee.CharField(max_length=16, constraints=[peewee.Check(_role_check())])

    class Meta:
        table_name = "user_roles"
        primary_key = peewee.CompositeKey("user", "role")


class Service(BaseModel):
    """An Account Service: a line of care an organisation offers ("General Practice")."""

    id = peewee.CharField(max_length=ID_LENGTH, primary_key=True, default=new_id)
    organisation_id: str  # set by the foreign key (for type checkers)
    organisation = peewee.ForeignKeyField(Organisation, backref="services", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    is_active = peewee.BooleanField(default=True)

    class Meta:
        table_name = "services"
        indexes = ((("organisation", "name"), True),)


class AuthSession(BaseModel):
    """A signed-in browser session; its id is the SHA-256 of the cookie token, never the token."""

    id = peewee.CharField(max_length=64, primary_key=True)
    user_id: str  # set by the foreign key (for type checkers)
    user = peewee.ForeignKeyField(User, backref="auth_sessions", on_delete="CASCADE")
    csrf_token = peewee.CharField(max_length=64)
    created_at = UTCDateTimeField(default=utcnow)
    last_seen_at = UTCDateTimeField(default=utcnow)
    idle_timeout_s = peewee.IntegerField()
    absolute_expires_at = UTCDateTimeField()

    class Meta:
        table_name = "auth_sessions"


class ActorSnapshot(BaseModel):
    """The last saved state of one actor, by address, from which a restarted actor recovers."""

    address = peewee.CharField(max_length=255, primary_key=True)
    state = JSONTextField()
    version = peewee.IntegerField(default=1)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "actor_snapshots"


class AuditEvent(BaseModel):
    """Who did what to which records, and when: ids only, never names or free text."""

    id = peewee.CharField(max_length=ID_LENGTH, primary_key=True, default=new_id)
    organisation_id: str | None  # set by the foreign key (for type checkers)
    organisation = peewee.ForeignKeyField(
        Organisation, backref="audit_events", null=True, on_delete="CASCADE"
    )
    # Not a foreign key: the trail outlives the account it names.
    actor_id = peewee.CharField(max_length=ID_LENGTH, null=True)
    action = peewee.CharField(max_length=64)
    target_ids = JSONTextField(default=list)
    created_at = UTCDateTimeField(default=utcnow, index=True)
    #: The hash chain (see vclinic/store/audit.py): the organisation's id ("" for none), the
    #: event's number in it, the previous event's hash and this one's.
    chain = peewee.CharField(max_length=ID_LENGTH, default="")
    seq = peewee.IntegerField()
    prev_hash = peewee.CharField(max_length=64, default="")
    hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "audit_events"
        indexes = ((("chain", "seq"), True),)


class AuditHead(BaseModel):
    """The last event of one organisation's audit chain; locked to append to the chain."""

    chain = peewee.CharField(max_length=ID_LENGTH, primary_key=True)
    seq = peewee.IntegerField()
    hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "audit_chain_heads"


#: The core models, in dependency order.
MODELS: tuple[type[BaseModel], ...] = (
    Organisation, User, UserRole, Service, AuthSession, ActorSnapshot, AuditEvent, AuditHead,
)
