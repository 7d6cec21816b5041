"""While the database is down the API answers 503 ``database_unavailable``; it recovers alone."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import httpx
import pytest
import trio
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes import PROVIDER, Client, base_url, start_node
from tests.store.pgcluster import throwaway_cluster


async def outages(client: Client) -> float:
    """``vclinic_database_unavailable_total`` from ``/metrics``, which answers even while the
    database is down (an operator's dashboard must show the outage, not lose its scrape)."""
    scraper = Client(client.base)  # Prometheus sends no cookie
    try:
        scraped = await scraper.request("GET", "/metrics")
    finally:
        await scraper.aclose()
    assert scraped.status_code == 200, scraped.text
    found = {family.name: family for family in text_string_to_metric_families(scraped.text)}
    return float(found["vclinic_database_unavailable"].samples[0].value)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert error["message"] == "The database is not available at the moment; try again shortly."


async def signin_anew(client: Client) -> httpx.Response:
    """Sign in from a new browser (a signed-in one would need its CSRF token)."""
    fresh = Client(client.base)
    try:
        return await fresh.signin(PROVIDER)
    finally:
        await fresh.aclose()


async def test_api_answers_503_while_sqlite_is_locked_and_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wait a moment, not the production 15 s, for another program's lock.
    # (The package exports the model's database proxy under the module's name.)
    monkeypatch.setattr(sys.modules["vclinic.store.database"], "SQLITE_BUSY_TIMEOUT_MS", 200)
    async with trio.open_nursery() as nursery:
        running = await start_node(nursery, tmp_path)
        client = Client(base_url(running))
        assert (await client.signin(PROVIDER)).status_code == 200
        assert (await client.request("GET", "/api/v1/me")).status_code == 200

        # Another program (a careless maintenance script, say) holds the write lock: nothing can
        # be written, so signing in cannot work.
        holder = sqlite3.connect(tmp_path / "vclinic.db", isolation_level=None, timeout=30)
        before = await outages(client)
        holder.execute("BEGIN IMMEDIATE")
        try:
            assert_unavailable(await signin_anew(client))
            assert_unavailable(await client.request("POST", "/api/v1/auth/signout"))
            assert await outages(client) >= before + 2
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        assert (await client.request("GET", "/api/v1/me")).status_code == 200
        assert (await signin_anew(client)).status_code == 200
        await client.aclose()
        running.stop.set()


async def test_api_answers_503_while_postgresql_is_stopped_and_recovers(tmp_path: Path) -> None:
    async with throwaway_cluster() as cluster, trio.open_nursery() as nursery:
        running = await start_node(nursery, tmp_path, database_url=cluster.url)
        client = Client(base_url(running))
        assert (await client.signin(PROVIDER)).status_code == 200
        me = await client.request("GET", "/api/v1/me")
        assert me.status_code == 200

        before = await outages(client)
        await cluster.stop()
        assert_unavailable(await client.request("GET", "/api/v1/me"))
        assert_unavailable(await signin_anew(client))
        assert await outages(client) >= before + 2

        await cluster.start()
        # A pooled connection that a background task held across the restart may still fail
        # once before it is dropped: a user retrying sees the service back within a few tries.
        for _ in range(3):
            again = await client.request("GET", "/api/v1/me")
            if again.status_code != 503:
                break
        assert again.status_code == 200, again.text
        assert again.json() == me.json()
        await client.aclose()
        running.stop.set()
