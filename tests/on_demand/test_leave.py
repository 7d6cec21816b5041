"""Leaving: a closed page leaves the queue after the grace period, a page that comes back within
it keeps its place, and the queue (with its grace periods) survives a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio

from tests.fakes import ADMIN, Client, base_url, eventually, start_node
from tests.on_demand.conftest import GRACE, Patient, Staff, listing


async def test_closed_page_is_abandoned_after_the_grace_period(provider: Client,
                                                               patient: Patient) -> None:
    started = await patient.start()
    async with provider.ws() as ws:
        await ws.next_event("hello")
        await ws.request("on_demand.subscribe")
        async with patient.socket() as page:
            await page.next_event("hello")
        removed = await ws.next_event("on_demand.request_removed")
        assert removed["data"] == {"request_id": started["request_id"], "reason": "abandoned"}
    assert (await patient.status())["status"] == "abandoned"
    assert (await listing(provider))["total"] == 0
    metrics = (await provider.request("GET", "/metrics")).text
    assert 'vclinic_on_demand_requests_ended_total{outcome="abandoned"} 1.0' in metrics
    gone = await patient.request("PATCH", "/api/v1/on_demand/patient/answers",
                                 json={"answers": {"reason": "x"}})
    assert gone.status_code == 409
    assert gone.json()["error"]["code"] == "request_abandoned"


async def test_page_back_within_the_grace_period_keeps_its_place(
        provider: Client, patient: Patient, clients: object) -> None:
    first = await patient.start()
    second: Patient = await clients(patient=True)  # type: ignore[operator]
    await second.start(email="second@example.org")
    async with patient.socket() as page:
        await page.next_event("hello")
    async with patient.socket() as page:
        hello = await page.next_event("hello")
        assert hello["data"]["request"]["position"] == 1
        # Well past the first grace period: the reconnect cancelled it.
        await trio.sleep(GRACE * 2)
        rows = (await listing(provider))["requests"]
        assert rows[0]["id"] == first["request_id"]
        assert rows[0]["connected"] is True
        assert (await patient.status())["position"] == 1


async def test_patient_leaves_on_purpose(provider: Client, patient: Patient) -> None:
    await patient.start()
    left = await patient.request("DELETE", "/api/v1/on_demand/patient")
    assert left.json()["status"] == "abandoned"
    assert (await listing(provider))["total"] == 0


async def test_queue_and_grace_periods_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "node"
    async with trio.open_nursery() as nursery:
        node = await start_node(nursery, data, ws_grace_seconds=GRACE)
        base = base_url(node)
        stayer, leaver, admin = Patient(base), Patient(base), Staff(base)
        first = await stayer.start()
        await stayer.answer(reason="Cough")
        second = await leaver.start(email="leaver@example.org")
        async with leaver.socket() as page:  # open when the node stops
            await page.next_event("hello")
            node.stop.set()
        for client in (stayer, leaver, admin):
            await client.aclose()
    async with trio.open_nursery() as nursery:
        node = await start_node(nursery, data, ws_grace_seconds=GRACE)
        admin = Staff(base_url(node))
        try:
            await admin.signin(ADMIN)

            async def only_stayer() -> bool:
                rows = (await listing(admin))["requests"]
                return [r["id"] for r in rows] == [first["request_id"]]

            # The leaver's page was open at the restart: their grace period starts again and
            # ends; the stayer, who never opened a socket, keeps their place and answers.
            rows = (await listing(admin))["requests"]
            assert [r["id"] for r in rows][:1] == [first["request_id"]]
            assert rows[0]["case"] == {"reason": "Cough"}
            assert second["request_id"] in {r["id"] for r in rows} or await only_stayer()
            await eventually(only_stayer, "the leaver to be abandoned after the restart")
        finally:
            await admin.aclose()
            node.stop.set()


async def test_an_actor_crash_keeps_open_pages_present(node: Any, provider: Client,
                                                       patient: Patient) -> None:
    from vclinic_on_demand import message as m

    from vclinic.actors import ActorCrashed

    started = await patient.start()
    org_id = (await provider.request("GET", "/api/v1/me")).json()["user"]["organisation"]["id"]
    queue = node.context.runtime.registry.ref(f"queue:{org_id}")
    async with patient.socket() as page:
        await page.next_event("hello")
        with pytest.raises(ActorCrashed):
            await queue.call(m.Listing(-1, 1))  # a bad offset crashes the actor
        await trio.sleep(GRACE * 2)
        [row] = (await listing(provider))["requests"]
        assert row["id"] == started["request_id"] and row["connected"] is True
    # The socket opened before the crash still counts: closing it starts the grace period.
    async def abandoned() -> bool:
        return (await patient.status())["status"] == "abandoned"

    await eventually(abandoned, "the patient to leave after the grace period")


async def test_waiting_patient_is_told_their_new_place_when_someone_ahead_leaves(
        patient: Patient, clients: Any) -> None:
    await patient.start()
    second: Patient = await clients(patient=True)
    await second.start(name="Sam Second", email="second@example.org")
    await second.answer(reason="Rash", state="CA", consent=True)
    done = await second.request("POST", "/api/v1/on_demand/patient/complete")
    assert done.status_code == 200, done.text
    async with second.socket() as page:
        hello = await page.next_event("hello")
        assert hello["data"]["request"]["position"] == 2
        left = await patient.request("DELETE", "/api/v1/on_demand/patient")
        assert left.status_code == 200
        moved = await page.next_event("on_demand.position")
        assert moved["data"]["position"] == 1
        assert moved["data"]["waiting"] == 1
