from __future__ import annotations

import threading

import peewee
import pytest
import trio

from vclinic.errors import ConfigError, MigrationError
from vclinic.ids import new_id
from vclinic.notifications import Notification
from vclinic.store import (
    MODELS,
    BaseModel,
    Migration,
    Store,
    UTCDateTimeField,
    connect_url,
    core_migrations,
    migrate,
    utcnow,
)
from vclinic.store.migration import TABLE, applied_ids


async def _tables(store: Store) -> set[str]:
    return set(await store.run(store.database.get_tables))


def _create(table: str) -> Migration:
    def apply(db: peewee.Database) -> None:
        # No IF NOT EXISTS on purpose: applying twice would fail.
        db.execute_sql(f"CREATE TABLE {table} (id VARCHAR(32) PRIMARY KEY)")

    return Migration(f"test:{table}", apply)


async def test_migrate_creates_every_core_table_and_records_it(empty_store: Store) -> None:
    applied = await empty_store.migrate()
    assert applied == [m.id for m in core_migrations()]
    assert applied[0] == "core:0001"
    tables = await _tables(empty_store)
    assert {m._meta.table_name for m in MODELS} | {TABLE} <= tables
    assert await empty_store.run(applied_ids, empty_store.database) == set(applied)


async def test_migrating_again_applies_nothing(empty_store: Store) -> None:
    first = await empty_store.migrate([_create("plugin_things")])
    second = await empty_store.migrate([_create("plugin_things")])
    assert "test:plugin_things" in first
    assert second == []


async def test_plugin_migrations_run_after_core_in_the_given_order(empty_store: Store) -> None:
    order: list[str] = []

    def record(name: str) -> Migration:
        def apply(db: peewee.Database) -> None:
            # The core tables exist already when a plugin migration runs.
            assert db.table_exists("users")
            order.append(name)

        return Migration(name, apply)

    applied = await empty_store.migrate([record("sessions:0001"), record("queues:0001")])
    assert applied[-2:] == ["sessions:0001", "queues:0001"]
    assert order == ["sessions:0001", "queues:0001"]

    later = await empty_store.migrate(
        [record("sessions:0001"), record("queues:0001"), record("sessions:0002")]
    )
    assert later == ["sessions:0002"]


async def test_a_failing_migration_is_rolled_back_and_not_recorded(empty_store: Store) -> None:
    def half_done(db: peewee.Database) -> None:
        db.execute_sql("CREATE TABLE half_done (id VARCHAR(32) PRIMARY KEY)")
        raise RuntimeError("migration bug")

    with pytest.raises(MigrationError, match="test:broken failed and was rolled back: "
                       "RuntimeError: migration bug"):
        await empty_store.migrate([_create("before"), Migration("test:broken", half_done)])
    tables = await _tables(empty_store)
    assert "before" in tables
    assert "half_done" not in tables
    recorded = await empty_store.run(applied_ids, empty_store.database)
    assert "test:before" in recorded
    assert "test:broken" not in recorded

    # Fixed in the next release: it applies then, and the earlier one is not repeated.
    assert await empty_store.migrate([_create("before"), _create("half_done")]) == [
        "test:half_done"
    ]


def test_migration_ids_must_be_unique(empty_store: Store) -> None:
    with pytest.raises(ConfigError, match="used twice"):
        migrate(empty_store, [_create("a"), _create("a")])
    with pytest.raises(ConfigError, match="used twice"):
        migrate(empty_store, [Migration("core:0001", lambda db: None)])


def test_migrate_accepts_a_bare_database(database_url: str) -> None:
    db = connect_url(database_url)
    try:
        assert migrate(db) == [m.id for m in core_migrations()]
        assert migrate(db) == []
    finally:
        db.close_all()


async def test_migrated_schema_has_the_columns_of_the_models(store: Store) -> None:
    for model in (*MODELS, Notification):
        columns = await store.run(store.database.get_columns, model._meta.table_name)
        found = {c.name for c in columns}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert found == expected, model.__name__
        nullable = {c.name for c in columns if c.null}
        assert nullable == {f.column_name for f in model._meta.sorted_fields if f.null}


async def test_two_nodes_migrating_at_once_apply_each_migration_once(database_url: str) -> None:
    # Two databases objects, as two processes would have; a thread each.
    dbs = [connect_url(database_url), connect_url(database_url)]
    results: list[list[str]] = []
    start = threading.Barrier(2, timeout=10)

    def node(db: peewee.Database) -> None:
        start.wait()
        results.append(migrate(db, [_create("plugin_things")]))

    try:
        async with trio.open_nursery() as nursery:
            for db in dbs:
                nursery.start_soon(trio.to_thread.run_sync, node, db)
    finally:
        for db in dbs:
            db.close_all()
    applied = sorted(results[0] + results[1])
    assert applied == sorted([*(m.id for m in core_migrations()), "test:plugin_things"])


class PluginNote(BaseModel):
    id = peewee.CharField(max_length=32, primary_key=True, default=new_id)
    session_id = peewee.CharField(max_length=32, index=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "notes_notes"


def _create_notes(db: peewee.Database) -> None:
    db.execute_sql(
        "CREATE TABLE notes_notes (id VARCHAR(32) PRIMARY KEY, "
        "session_id VARCHAR(32) NOT NULL, created_at TIMESTAMP NOT NULL)"
    )
    db.execute_sql("CREATE INDEX notes_notes_session_id ON notes_notes (session_id)")


async def test_a_plugin_model_works_once_its_migration_ran(empty_store: Store) -> None:
    applied = await empty_store.migrate([Migration("notes:0001", _create_notes)])
    assert applied == [*(m.id for m in core_migrations()), "notes:0001"]
    note = await empty_store.run(lambda: PluginNote.create(session_id="s1"))
    found = await empty_store.run(PluginNote.get_by_id, note.id)
    assert found.session_id == "s1"
    assert found.created_at == note.created_at
