"""The Store: one database connection pool, and the only way trio code reaches it.

peewee is synchronous, so every query runs in a worker thread (``trio.to_thread.run_sync``) behind
a capacity limiter: one at a time on SQLite (one writer; WAL lets other processes read meanwhile),
``pool_size`` on PostgreSQL. Each call checks a connection out of the pool for the worker thread
it runs on and returns it afterwards, so a thread that trio retires holds no connection. A query
made on the trio thread itself raises, because it would block every task of the node.

The composition root opens one Store per process, migrates it and passes it down.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

import peewee
import trio
from playhouse import db_url
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from vclinic.errors import ConfigError, DatabaseUnavailable
from vclinic.log import get_logger
from vclinic.store.model import database as model_database

if TYPE_CHECKING:
    from vclinic.store.migration import Migration

T = TypeVar("T")

#: Milliseconds SQLite waits for another writer's lock before giving up (a loaded machine can
#: hold one for seconds, e.g. two nodes migrating at once).
SQLITE_BUSY_TIMEOUT_MS = 15000

#: What SQLite says when the database itself, not the query, is the problem.
_SQLITE_OUTAGES = ("locked", "unable to open", "disk i/o", "malformed", "readonly",
                   "read-only", "is full", "not a database", "busy")

log = get_logger("store")

#: Seconds after which an idle pooled connection is replaced (servers drop idle ones).
STALE_SECONDS = 600


def _on_trio_thread() -> bool:
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return False
    return True


class _OffTrioThread:
    """Mixin: refuse to connect or query on the trio thread, where it would block the node."""

    def connect(self, reuse_if_open: bool = False) -> bool:
        if _on_trio_thread():
            raise RuntimeError("database connection opened on the trio thread; use Store.run")
        return super().connect(reuse_if_open)  # type: ignore[misc,no-any-return]

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        if _on_trio_thread():
            raise RuntimeError("database query made on the trio thread; use Store.run")
        return super().execute_sql(sql, params)  # type: ignore[misc]


class SqliteDatabase(_OffTrioThread, PooledSqliteDatabase):
    """SQLite, pooled, guarded against use on the trio thread."""


class PostgresqlDatabase(_OffTrioThread, PooledPostgresqlDatabase):
    """PostgreSQL through psycopg2, pooled, guarded against use on the trio thread."""


def connect_url(url: str, pool_size: int = 8) -> peewee.Database:
    """A (not yet connected) database for ``sqlite:///path`` or ``postgresql://...``.

    SQLite gets WAL mode, foreign keys and a busy timeout, and the folder of its file is created.
    """
    scheme = urlparse(url).scheme
    params = db_url.parse(url)
    name = params.pop("database", "")
    if scheme == "sqlite":
        if not name:
            raise ConfigError("database_url sqlite:/// needs a file path")
        if name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(
            name,
            max_connections=1,
            stale_timeout=STALE_SECONDS,
            autoconnect=False,
            # Write transactions take the lock at BEGIN, so two writers never deadlock upgrading.
            lock_type="IMMEDIATE",
            # busy_timeout first: switching a new file to WAL can already meet another writer.
            pragmas={
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": "normal",
            },
            # Pooled connections move between worker threads, one thread at a time.
            check_same_thread=False,
            **params,
        )
    if scheme in ("postgresql", "postgres"):
        if not name:
            raise ConfigError("database_url postgresql:// needs a database name")
        return PostgresqlDatabase(
            name,
            max_connections=pool_size,
            stale_timeout=STALE_SECONDS,
            autoconnect=False,
            **params,
        )
    raise ConfigError("database_url must start with sqlite:// or postgresql://")


class Store:
    """The database of one vclinic process, reached only through :meth:`run` and :meth:`atomic`.

    Owned by the composition root, which closes it at shutdown.
    """

    def __init__(self, db: peewee.Database, pool_size: int = 8) -> None:
        self.database = db
        self.is_sqlite = isinstance(db, peewee.SqliteDatabase)
        self.limiter = trio.CapacityLimiter(1 if self.is_sqlite else max(1, pool_size))
        #: Calls that found the database unavailable since start (``/metrics``); worker
        #: threads count them, under the lock.
        self.outages = 0
        self._outages_lock = threading.Lock()
        model_database.initialize(db)

    @classmethod
    def open(cls, url: str, pool_size: int = 8) -> Store:
        """Open the database at ``url`` and bind the models to it (no connection is made yet)."""
        if pool_size < 1:
            raise ConfigError("database_pool_size must be at least 1")
        return cls(connect_url(url, pool_size), pool_size)

    def bind(self, models: Sequence[type[peewee.Model]]) -> None:
        """Bind plugins' models (``vclinic_register_models``) to this database, whatever
        database their ``Meta`` named; models built on :class:`BaseModel` already are.

        They are bound to the proxy the core's models use, not to this database object, so
        they follow the store that is open now (a closed node's database never keeps them)."""
        for model in models:
            if model._meta.database is not model_database:
                model.bind(model_database, bind_refs=False, bind_backrefs=False)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on this thread with a connection checked out (for sync callers).

        A database that does not answer raises :class:`DatabaseUnavailable` (503
        ``database_unavailable`` on the API); the connection that failed and the idle ones are
        dropped, so the next call after the database is back opens fresh ones and succeeds.
        """
        try:
            opened = self.database.connect(reuse_if_open=True)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            raise self._unavailable(exc) from exc
        try:
            return fn(*args)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            if not self._is_outage(exc):
                raise
            if opened:
                self._drop_connections()
                opened = False
            raise self._unavailable(exc) from exc
        finally:
            if opened:
                self.database.close()

    def _is_outage(self, exc: Exception) -> bool:
        # On SQLite an OperationalError is also a query bug ("no such table"): only a locked,
        # unopenable, unreadable or full database is an outage. A PostgreSQL OperationalError
        # or InterfaceError is about the connection or the server.
        if not self.is_sqlite:
            return True
        text = str(exc).lower()
        return any(sign in text for sign in _SQLITE_OUTAGES)

    def _drop_connections(self) -> None:
        # A connection that is already gone raises on close; it leaves the pool all the same.
        with contextlib.suppress(peewee.DatabaseError):
            self.database.manual_close()  # type: ignore[attr-defined]
        self.database.close_idle()  # type: ignore[attr-defined]

    def _unavailable(self, exc: BaseException) -> DatabaseUnavailable:
        log.warning("database_unavailable", error=type(exc).__name__)
        with self._outages_lock:
            self.outages += 1
        return DatabaseUnavailable(
            "The database is not available at the moment; try again shortly."
        )

    def call_atomic(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on this thread inside one transaction."""

        def in_transaction() -> T:
            with self.database.atomic():
                return fn(*args)

        return self.call(in_transaction)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run the synchronous ``fn(*args)`` in a worker thread and return its result.

        Cancellation waits for the query to finish (a thread cannot be interrupted), so a
        transaction is never left half-done.
        """
        return await trio.to_thread.run_sync(self.call, fn, *args, limiter=self.limiter)

    async def atomic(self, fn: Callable[..., T], *args: Any) -> T:
        """Like :meth:`run`, in one transaction: committed if ``fn`` returns, else rolled back."""
        return await trio.to_thread.run_sync(
            self.call_atomic, fn, *args, limiter=self.limiter
        )

    async def migrate(self, extra: Sequence[Migration] = ()) -> list[str]:
        """Apply pending core and ``extra`` (plugin) migrations; return the ids applied."""
        from vclinic.store.migration import migrate

        return await trio.to_thread.run_sync(migrate, self, extra, limiter=self.limiter)

    def close(self) -> None:
        """Close every pooled connection. Call once no task uses the store any more."""
        self.database.close_all()  # type: ignore[attr-defined]
