"""Versioned schema migrations: what is applied is recorded in the ``schema_migrations`` table.

A :class:`Migration` is an id and a function that changes the schema through the peewee database
it is given. Core migrations live in ``vclinic/store/migrations/`` as modules ``mNNNN_<what>.py``
each exporting ``MIGRATION``; plugins hand theirs in as ``extra``, with ids name-spaced by plugin
(``"sessions:0001"``). Each migration runs in its own transaction (DDL is transactional on both
SQLite and PostgreSQL) under a lock, so two nodes starting together apply it once.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import peewee

from vclinic.errors import ConfigError, MigrationError
from vclinic.log import get_logger
from vclinic.store.field import utcnow

if TYPE_CHECKING:
    from vclinic.store.database import Store

TABLE = "schema_migrations"

# Any fixed number: the PostgreSQL advisory lock all vclinic nodes take while migrating.
_PG_LOCK_KEY = 0x76636C6E

_MODULE_NAME = re.compile(r"^m\d{4}_\w+$")

log = get_logger("store.migration")


@dataclasses.dataclass(frozen=True)
class Migration:
    """One schema change: applied once, in order, and never edited after release."""

    id: str
    apply: Callable[[peewee.Database], None]
    description: str = ""


def core_migrations() -> tuple[Migration, ...]:
    """The core migrations, in the order of their module names."""
    from vclinic.store import migrations

    found = []
    for info in sorted(pkgutil.iter_modules(migrations.__path__), key=lambda i: i.name):
        if _MODULE_NAME.match(info.name):
            module = importlib.import_module(f"{migrations.__name__}.{info.name}")
            found.append(module.MIGRATION)
    return tuple(found)


def plan(extra: Iterable[Migration] = ()) -> tuple[Migration, ...]:
    """Core migrations then ``extra`` in the given order; ids must be unique and non-empty."""
    ordered = (*core_migrations(), *extra)
    seen: set[str] = set()
    for migration in ordered:
        if not migration.id or not migration.id.strip():
            raise ConfigError("a migration has an empty id")
        if migration.id in seen:
            raise ConfigError(f"migration id {migration.id!r} is used twice")
        seen.add(migration.id)
    return ordered


def _lock(db: peewee.Database) -> None:
    if isinstance(db, peewee.PostgresqlDatabase):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
    # SQLite: the transaction began with BEGIN IMMEDIATE, which already excludes other writers.


def _ensure_table(db: peewee.Database) -> None:
    with db.atomic():
        _lock(db)
        db.execute_sql(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(id VARCHAR(255) NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)"
        )


def applied_ids(db: peewee.Database) -> set[str]:
    """Ids of the migrations recorded as applied (the table must exist)."""
    return {row[0] for row in db.execute_sql(f"SELECT id FROM {TABLE}").fetchall()}


def _apply_one(db: peewee.Database, migration: Migration) -> bool:
    param = db.param
    with db.atomic():
        _lock(db)
        found = db.execute_sql(f"SELECT 1 FROM {TABLE} WHERE id = {param}", (migration.id,))
        if found.fetchone() is not None:
            return False
        try:
            migration.apply(db)
        except Exception as exc:
            # The transaction rolls back; the operator learns which migration and why (the
            # driver's first line names tables and constraints, not row values).
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise MigrationError(
                f"migration {migration.id} failed and was rolled back: "
                f"{type(exc).__name__}{': ' + first[:200] if first else ''}"
            ) from exc
        db.execute_sql(
            f"INSERT INTO {TABLE} (id, applied_at) VALUES ({param}, {param})",
            (migration.id, utcnow().isoformat()),
        )
    return True


def migrate(target: Store | peewee.Database, extra: Sequence[Migration] = ()) -> list[str]:
    """Apply the pending migrations (core, then ``extra``) and return the ids applied, in order.

    Synchronous: call it from ``vclinic migrate`` directly, or from trio via ``Store.migrate``.
    Running it again applies nothing. Ids recorded but no longer known (a plugin since disabled)
    are left alone.
    """
    db = target if isinstance(target, peewee.Database) else target.database
    ordered = plan(extra)
    opened = db.connect(reuse_if_open=True)
    try:
        _ensure_table(db)
        done = applied_ids(db)
        applied: list[str] = []
        for migration in ordered:
            if migration.id in done:
                continue
            if _apply_one(db, migration):
                log.info("migration_applied", migration=migration.id)
                applied.append(migration.id)
        return applied
    finally:
        if opened:
            db.close()
