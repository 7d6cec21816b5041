"""Claiming through the API and /ws: during the setup guide, after it, by an admin, after an
assignment, and two at once."""

from __future__ import annotations

from typing import Any

import trio
from vclinic_on_demand import events as od

from tests.fakes import Client
from tests.on_demand.conftest import Patient, listing, user_id
from vclinic.events import SessionCreated
from vclinic.plugins import hookimpl
from vclinic.server.run import Running


async def _both_in_call(provider: Client, patient: Patient, claimed: dict[str, Any]) -> None:
    """The patient's page follows the claim into the session; both can enter it."""
    joined = await patient.request("POST", "/api/v1/on_demand/patient/join")
    assert joined.status_code == 200, joined.text
    assert joined.json()["next"] == claimed["next"]
    patient.csrf = joined.json()["csrf_token"]
    session_id = claimed["session_id"]
    async with provider.ws() as pws, patient.ws() as gws:
        mine = await pws.request("session.enter", {"session_id": session_id})
        assert mine["type"] == "reply", mine
        assert mine["data"]["you"]["role"] == "chair"
        theirs = await gws.request("session.enter", {"session_id": session_id})
        assert theirs["type"] == "reply", theirs
        assert theirs["data"]["you"]["display_name"] == "Pat Example"
        names = {p["display_name"] for p in theirs["data"]["participants"]}
        assert "Pat Example" in names and len(names) == 2


async def test_claim_during_intake_case_fills_in_live(provider: Client, patient: Patient
                                                      ) -> None:
    async with provider.ws() as ws:
        await ws.next_event("hello")
        first = await ws.request("on_demand.subscribe")
        assert first["data"]["total"] == 0
        started = await patient.start()
        assert started["status"] == "intake"
        added = await ws.next_event("on_demand.request_added")
        request_id = added["data"]["request"]["id"]
        assert added["data"]["request"]["case"] == {}
        async with patient.socket() as page:
            hello = await page.next_event("hello")
            assert hello["data"]["request"]["position"] == 1
            await patient.answer(reason="Sore throat since Monday")
            updated = await ws.next_event("on_demand.request_updated")
            assert updated["data"]["request"]["case"] == {"reason": "Sore throat since Monday"}
            claim = await provider.request("POST",
                                           f"/api/v1/on_demand/requests/{request_id}/claim")
            assert claim.status_code == 200, claim.text
            claimed = claim.json()
            assert claimed["next"] == f"/preview?session={claimed['session_id']}"
            removed = await ws.next_event("on_demand.request_removed")
            assert removed["data"]["reason"] == "claimed"
            moved = await page.next_event("on_demand.claimed")
            assert moved["data"]["session_id"] == claimed["session_id"]
    assert (await patient.status())["status"] == "claimed"
    assert (await listing(provider))["total"] == 0
    await _both_in_call(provider, patient, claimed)


async def test_claim_after_intake_from_the_waiting_room(provider: Client, patient: Patient
                                                        ) -> None:
    await patient.start()
    await patient.answer(reason="Rash", state="CA", phone="+1 555 010 0100", consent=True)
    done = await patient.request("POST", "/api/v1/on_demand/patient/complete")
    assert done.status_code == 200, done.text
    waiting = done.json()
    assert waiting["status"] == "waiting"
    assert waiting["position"] == 1
    assert waiting["typical_wait_seconds"] is None  # no history yet: no estimate
    [row] = (await listing(provider))["requests"]
    assert row["intake_complete"] is True
    assert (row["phone"], row["state"]) == ("+1 555 010 0100", "CA")
    claim = await provider.request("POST", f"/api/v1/on_demand/requests/{row['id']}/claim")
    assert claim.status_code == 200, claim.text
    await _both_in_call(provider, patient, claim.json())


async def test_admin_assigns_then_provider_claims(node: Running, admin: Client, provider: Client,
                                                  provider_2: Client, patient: Patient) -> None:
    listener = Listener()
    node.context.plugins.register(listener, "listener")
    started = await patient.start()
    request_id = started["request_id"]
    ada = await user_id(provider)
    available = (await admin.request("GET", "/api/v1/on_demand/providers")).json()
    assert ada in {p["id"] for p in available["providers"]}
    async with provider.ws() as ws:
        await ws.next_event("hello")
        assigned = await admin.request("POST", f"/api/v1/on_demand/requests/{request_id}/assign",
                                       json={"provider_id": ada})
        assert assigned.status_code == 200, assigned.text
        note = await ws.next_event("notification.created")
        assert note["data"]["kind"] == "on_demand.assigned"
        assert note["data"]["data"]["request_id"] == request_id
    [row] = (await listing(provider))["requests"]
    assert row["assigned_to"] == ada
    other = await provider_2.request("POST", f"/api/v1/on_demand/requests/{request_id}/claim")
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "assigned_to_other"
    mine = await provider.request("POST", f"/api/v1/on_demand/requests/{request_id}/claim")
    assert mine.status_code == 200, mine.text

    # Plugins' listeners heard the queue's changes and the visit's session, ids only.
    claimed = mine.json()
    org_id = next(x.org_id for x in listener.heard if isinstance(x, od.RequestOpened))
    queue = [x for x in listener.heard if isinstance(x, od.RequestEvent)]
    assert queue[:2] == [od.RequestOpened(org_id, request_id),
                         od.RequestAssigned(org_id, request_id, ada)]
    claim = queue[-1]
    assert isinstance(claim, od.RequestClaimed)
    assert (claim.request_id, claim.provider_id, claim.session_id) == (
        request_id, ada, claimed["session_id"])
    assert SessionCreated(claimed["session_id"], org_id, "on_demand", ada) in listener.heard
    assert "Pat" not in repr(listener.heard)


class Listener:
    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self) -> None:
        self.heard: list[object] = []

    @hookimpl
    def vclinic_on_event(self, event: object) -> None:
        self.heard.append(event)


async def test_admin_claims_and_the_patient_is_pulled_in(admin: Client, patient: Patient
                                                         ) -> None:
    started = await patient.start()
    async with patient.socket() as page:
        await page.next_event("hello")
        claim = await admin.request(
            "POST", f"/api/v1/on_demand/requests/{started['request_id']}/claim")
        assert claim.status_code == 200, claim.text
        moved = await page.next_event("on_demand.claimed")
        assert moved["data"]["session_id"] == claim.json()["session_id"]
    await _both_in_call(admin, patient, claim.json())


async def test_concurrent_claims_have_exactly_one_winner(provider: Client, provider_2: Client,
                                                         admin: Client, patient: Patient
                                                         ) -> None:
    started = await patient.start()
    path = f"/api/v1/on_demand/requests/{started['request_id']}/claim"
    results: list[Any] = []

    async def claim(client: Client) -> None:
        results.append(await client.request("POST", path))

    async with trio.open_nursery() as nursery:
        for client in (provider, provider_2, admin):
            nursery.start_soon(claim, client)
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409, 409]
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {
        "already_claimed"}


async def test_positions_and_estimate_once_there_is_history(provider: Client,
                                                            clients: Any) -> None:
    patients = [await clients(patient=True) for _ in range(5)]
    for index, p in enumerate(patients):
        assert (await p.start(email=f"p{index}@example.org"))["position"] == index + 1
    rows = (await listing(provider))["requests"]
    assert [r["position"] for r in rows] == [1, 2, 3, 4, 5]
    waits = [r["wait_seconds"] for r in rows]
    assert waits == sorted(waits, reverse=True)  # longest wait first
    for row in rows[:3]:
        claim = await provider.request("POST", f"/api/v1/on_demand/requests/{row['id']}/claim")
        assert claim.status_code == 200
    status = await patients[4].status()
    assert status["position"] == 2
    assert status["based_on"] == 3
    assert status["typical_wait_seconds"] is not None
    page = await listing(provider, offset=1, limit=1)
    assert page["total"] == 2 and [r["id"] for r in page["requests"]] == [rows[4]["id"]]
    metrics = (await provider.request("GET", "/metrics")).text
    assert "vclinic_on_demand_waiting 2.0" in metrics
    assert "vclinic_on_demand_wait_seconds_count 3.0" in metrics
    assert 'vclinic_on_demand_requests_ended_total{outcome="claimed"} 3.0' in metrics


async def test_provider_who_goes_off_call_gets_no_more_rows(
        admin: Client, provider: Client, patient: Patient) -> None:
    async with provider.ws() as ws, admin.ws() as watcher:
        await ws.next_event("hello")
        await watcher.next_event("hello")
        assert (await ws.request("on_demand.subscribe"))["type"] == "reply"
        assert (await watcher.request("on_demand.subscribe"))["type"] == "reply"
        off = await provider.request("PUT", "/api/v1/on_demand/on-call", json={"on_call": False})
        assert off.json() == {"on_call": False}
        with trio.fail_after(30):  # a bound, not a timing check: it fails instead of hanging
            ended = await ws.next_event("on_demand.off_call")
        assert ended["data"] == {"user_id": await user_id(provider)}

        started = await patient.start()
        # The admin's subscription carries on and sees the patient arrive.
        added = await watcher.next_event("on_demand.request_added")
        assert added["data"]["request"]["id"] == started["request_id"]
        assert (await ws.request("ping"))["data"] == {"pong": True}
        assert [e["type"] for e in ws.events if e["type"].startswith("on_demand.request")] == []

        # Back On-Call, the provider subscribes again and the patient is there.
        on = await provider.request("PUT", "/api/v1/on_demand/on-call", json={"on_call": True})
        assert on.json() == {"on_call": True}
        page = await ws.request("on_demand.subscribe")
        assert [r["id"] for r in page["data"]["requests"]] == [started["request_id"]]
        await patient.answer(reason="Rash")
        updated = await ws.next_event("on_demand.request_updated")
        assert updated["data"]["request"]["id"] == started["request_id"]
