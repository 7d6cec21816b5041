"""The public calendar on PostgreSQL: visitors racing for one slot from concurrent
transactions still have exactly one winner, and the loser's patient and appointment are gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio

from tests.fakes import ADMIN, PROVIDER, base_url, start_node
from tests.on_demand.calendar_helpers import book, free_slots, set_hours
from tests.on_demand.conftest import Patient, Staff, user_id

pytestmark = pytest.mark.postgres


async def test_one_winner_for_one_slot_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    async with trio.open_nursery() as nursery:
        node = await start_node(nursery, tmp_path / "node", database_url=postgres_url)
        base = base_url(node)
        admin, provider = Staff(base), Staff(base)
        visitors = [Patient(base) for _ in range(5)]
        try:
            await admin.signin(ADMIN)
            await provider.signin(PROVIDER)
            ada_id = await user_id(provider)
            body = await set_hours(admin, ada_id)
            ada = next(p["name"] for p in body["providers"] if p["id"] == ada_id)
            slot = (await free_slots(visitors[0]))[ada][0]
            results: list[Any] = []

            async def try_booking(i: int) -> None:
                results.append(await book(visitors[i], ada_id, slot, name=f"Racer {i}",
                                          email=f"r{i}@example.org"))

            async with trio.open_nursery() as race:
                for i in range(len(visitors)):
                    race.start_soon(try_booking, i)
            assert sorted(r.status_code for r in results) == [201, 409, 409, 409, 409]
            assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {
                "slot_taken"}
            mine = (await provider.request("GET", "/api/v1/appointments")).json()
            at_slot = [a for a in mine["appointments"] if a["starts_at"] == slot]
            assert len(at_slot) == 1
            found = await provider.request("POST", "/api/v1/patients/search",
                                           json={"q": "Racer"})
            assert len(found.json()["patients"]) == 1
        finally:
            for client in (admin, provider, *visitors):
                await client.aclose()
            node.stop.set()
