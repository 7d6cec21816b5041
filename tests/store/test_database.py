from __future__ import annotations

import threading
from pathlib import Path

import peewee
import pytest
import trio

from vclinic.errors import ConfigError
from vclinic.store import Organisation, Store


async def test_run_executes_queries_off_the_trio_thread(store: Store) -> None:
    trio_thread = threading.get_ident()

    def where() -> tuple[int, int]:
        Organisation.create(slug="demo", name="Demo")
        return threading.get_ident(), Organisation.select().count()

    thread, count = await store.run(where)
    assert thread != trio_thread
    assert count == 1


async def test_query_on_the_trio_thread_is_refused(store: Store) -> None:
    with pytest.raises(RuntimeError, match="trio thread"):
        Organisation.select().count()


async def test_atomic_rolls_back_everything_when_the_function_fails(store: Store) -> None:
    def create_then_fail() -> None:
        Organisation.create(slug="first", name="First")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await store.atomic(create_then_fail)
    assert await store.run(lambda: Organisation.select().count()) == 0


async def test_atomic_commits_when_the_function_returns(store: Store) -> None:
    created = await store.atomic(lambda: Organisation.create(slug="kept", name="Kept"))
    found = await store.run(Organisation.get_by_id, created.id)
    assert found.slug == "kept"


async def test_sqlite_file_gets_its_folder_and_wal_mode(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/a/b/vclinic.db")
    try:
        mode = await store.run(lambda: store.database.execute_sql("PRAGMA journal_mode").fetchone())
        keys = await store.run(lambda: store.database.execute_sql("PRAGMA foreign_keys").fetchone())
    finally:
        store.close()
    assert (tmp_path / "a" / "b" / "vclinic.db").exists()
    assert mode[0] == "wal"
    assert keys[0] == 1


async def test_sqlite_runs_one_query_at_a_time(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/vclinic.db", pool_size=8)
    try:
        assert store.limiter.total_tokens == 1
    finally:
        store.close()


@pytest.mark.postgres
async def test_postgres_runs_queries_concurrently_on_separate_connections(
    postgres_url: str,
) -> None:
    store = Store.open(postgres_url, pool_size=3)
    # Every call waits until all three run at once: it passes only if the pool allows it.
    barrier = threading.Barrier(3, timeout=10)

    def backend_pid() -> int:
        barrier.wait()
        return int(store.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])

    pids: list[int] = []

    async def one() -> None:
        pids.append(await store.run(backend_pid))

    try:
        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(one)
    finally:
        store.close()
    assert len(set(pids)) == 3


def test_unknown_database_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="sqlite:// or postgresql://"):
        Store.open("mysql://localhost/db")


def test_postgres_url_without_database_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="database name"):
        Store.open("postgresql://127.0.0.1:5432")


async def test_integrity_errors_surface_from_run(store: Store) -> None:
    await store.run(lambda: Organisation.create(slug="same", name="One"))
    with pytest.raises(peewee.IntegrityError):
        await store.run(lambda: Organisation.create(slug="same", name="Two"))
