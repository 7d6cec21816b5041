"""The queue on PostgreSQL: concurrent claims still have one winner, and the queue survives a
restart of the node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, Client, base_url, start_node
from tests.on_demand.conftest import GRACE, Patient, Staff, listing

pytestmark = pytest.mark.postgres


async def test_claims_and_restart_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    data = tmp_path / "node"
    async with trio.open_nursery() as nursery:
        node = await start_node(nursery, data, database_url=postgres_url,
                                ws_grace_seconds=GRACE)
        base = base_url(node)
        people = [Staff(base) for _ in range(2)]
        patients = [Patient(base) for _ in range(3)]
        try:
            for client, email in zip(people, (PROVIDER, PROVIDER_2), strict=True):
                await client.signin(email)
                await client.request("PUT", "/api/v1/on_demand/on-call", json={"on_call": True})
            started = [await p.start(email=f"pg{i}@example.org")
                       for i, p in enumerate(patients)]
            path = f"/api/v1/on_demand/requests/{started[0]['request_id']}/claim"
            results: list[Any] = []

            async def claim(client: Client) -> None:
                results.append(await client.request("POST", path))

            async with trio.open_nursery() as claims:
                for client in people:
                    claims.start_soon(claim, client)
            assert sorted(r.status_code for r in results) == [200, 409]
            await patients[1].answer(reason="Dizzy")
        finally:
            for client in (*people, *patients):
                await client.aclose()
            node.stop.set()
    async with trio.open_nursery() as nursery:
        node = await start_node(nursery, data, database_url=postgres_url,
                                ws_grace_seconds=GRACE)
        admin = Staff(base_url(node))
        try:
            await admin.signin(ADMIN)
            rows = (await listing(admin))["requests"]
            assert [r["id"] for r in rows] == [s["request_id"] for s in started[1:]]
            assert rows[0]["case"] == {"reason": "Dizzy"}
        finally:
            await admin.aclose()
            node.stop.set()
