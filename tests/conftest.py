"""Shared test set-up: real-component requirements that fail instead of skipping under CI=true,
and a migrated ``store`` on SQLite and on PostgreSQL.

The PostgreSQL runs use the server at 127.0.0.1:5432 (database ``test``), each test in a fresh
schema that is dropped afterwards. Without that server they skip, except under ``CI=true``, where
a missing server must fail the run rather than hide it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

import argon2
import psycopg2
import pytest

from vclinic.accounts import password
from vclinic.ids import new_id
from vclinic.store import Store, migrate

IN_CI = os.environ.get("CI", "").lower() == "true"
PG = {"host": "127.0.0.1", "port": 5432, "dbname": "test", "user": "postgres"}


@functools.cache
def _postgres_error() -> str | None:
    try:
        psycopg2.connect(connect_timeout=3, **PG).close()
    except psycopg2.Error as exc:
        return str(exc).strip() or type(exc).__name__
    return None


def require(available: bool, what: str) -> None:
    """Skip the test when ``what`` is missing, except under CI=true, where that is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def require_postgres() -> None:
    """Skip the calling test when PostgreSQL is unreachable; fail instead under CI=true."""
    error = _postgres_error()
    require(error is None, f"PostgreSQL at {PG['host']}:{PG['port']} ({error})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true, a skipped test means a required part did not run: fail the run."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        if reporter:
            reporter.write_line(f"CI=true: {skipped} test(s) were skipped; failing the run.",
                                red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


#: Real argon2id, with the least memory and time: every node a test starts seeds its demo accounts
#: and most tests sign in, and with the production parameters (64 MiB, about a tenth of a second
#: of a core each) the hashing alone took minutes of the suite. tests/accounts/test_password.py
#: checks the production parameters.
TEST_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(password, "_hasher", TEST_HASHER)
        yield


@pytest.fixture
def production_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with the parameters production uses, for the tests of hashing itself."""
    monkeypatch.setattr(password, "_hasher", argon2.PasswordHasher())


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema of the ``test`` database."""
    require_postgres()
    schema = "t_" + new_id().lower().replace("-", "_")
    conn = psycopg2.connect(**PG)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE SCHEMA "{schema}"')
        yield (
            f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{PG['dbname']}"
            f"?options=-csearch_path%3D{schema}"
        )
        with conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """An empty database: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/data/vclinic.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def empty_store(database_url: str) -> Iterator[Store]:
    """A Store on an empty database (nothing migrated)."""
    store = Store.open(database_url, pool_size=4)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def store(empty_store: Store) -> Store:
    """A Store on a database migrated to the current schema."""
    migrate(empty_store)
    return empty_store


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (sync API), one per test module.

    Playwright allows one sync driver per thread, so every browser test uses this fixture; and
    while a driver is open it keeps an asyncio loop running in the main thread, so it is closed
    after each module, before tests that run their own asyncio loop (the media unit tests)."""
    from tests.web.browser.harness import ARGS, CHROMIUM

    require(CHROMIUM.exists(), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=ARGS)
        watched = CspWatch(chromium)
        yield watched
        chromium.close()
    assert watched.violations == [], "pages broke the Content-Security-Policy"


class CspWatch:
    """The Playwright browser, with every page it opens reporting Content-Security-Policy
    violations (Chromium logs each to the page's console) into ``violations``."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, *args: Any, **kwargs: Any) -> Any:
        context = self._browser.new_context(*args, **kwargs)
        context.on("console", self._console)
        return context

    def new_page(self, *args: Any, **kwargs: Any) -> Any:
        page = self._browser.new_page(*args, **kwargs)
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            where = message.page.url if message.page is not None else "?"
            self.violations.append(f"{where}: {message.text}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
