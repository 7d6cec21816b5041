"""The server restarted in the middle: requests pending and a session accepted and waiting. A
new node on the same data_dir carries on with nothing lost, and the signed-in clients (the
station stays signed in) carry on too."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.fakes import base_url, eventually, start_node
from tests.virtual_clinic.clinic import API, Clinic, event


async def test_restart_keeps_requests_sessions_and_expiry_timers(tmp_path: Path) -> None:
    async with trio.open_nursery() as first:
        running = await start_node(first, tmp_path)
        clinic = await Clinic.open(base_url(running))
        await clinic.set_available(clinic.provider)
        await clinic.set_available(clinic.provider_2)
        accepted_request = await clinic.ask()
        accepted = await clinic.provider.request(
            "POST", f"{API}/requests/{accepted_request['id']}/accept", json={})
        session_id = accepted.json()["session_id"]
        async with clinic.station.ws() as sws:  # the requester arrives in the waiting room
            assert (await sws.request("session.enter", {"session_id": session_id}))["type"] == \
                "reply"
        pending = await clinic.ask(provider_id=clinic.provider_2_id)
        await clinic.settings(request_expiry_seconds=3)
        await clinic.set_available(clinic.provider)
        expiring = await clinic.ask()
        running.stop.set()
    cookies = clinic.cookies()
    await clinic.aclose()

    async with trio.open_nursery() as second:
        running = await start_node(second, tmp_path)
        # The sign-ins of the first node still hold (the station stays signed in).
        again = await Clinic.resume(base_url(running), cookies)
        try:
            async with again.provider.ws() as pws, again.station.ws() as sws:
                # The short request's timer was re-armed from its stored deadline: it expires
                # whether or not anyone is watching (the event may come before these sockets).
                async def expired() -> bool:
                    return any(r["id"] == expiring["id"] and r["status"] == "expired"
                               for r in await again.outgoing())

                await eventually(expired, "the request to expire after the restart")
                assert expiring["id"] not in [r["id"] for r in await again.incoming()]

                available = (await again.station.request("GET", f"{API}/providers")).json()
                assert {p["id"]: p["available"] for p in available["providers"]} == {
                    again.provider_id: True, again.provider_2_id: True}
                [waiting] = await again.incoming(again.provider_2)
                assert waiting["id"] == pending["id"] and waiting["status"] == "pending"

                [session] = await again.sessions(again.provider)
                assert session["id"] == session_id
                # Back in the waiting room after the restart, the provider watching.
                assert (await pws.request("virtual_clinic.watch"))["data"]["sessions"] == [
                    session_id]
                assert (await sws.request("session.enter", {"session_id": session_id}))[
                    "type"] == "reply"
                [session] = await again.sessions(again.provider)
                requester = next(p for p in session["participants"] if p["role"] ==
                                 "broadcaster")
                assert requester["status"] == "In Waiting Room"

                # The pending request carries on: provider 2 accepts it.
                done = await again.provider_2.request(
                    "POST", f"{API}/requests/{pending['id']}/accept", json={"enter": True})
                assert done.status_code == 200, done.text
                assert (await event(sws, "virtual_clinic.request_accepted"))["request"][
                    "id"] == pending["id"]
                assert len(await again.sessions(again.station)) == 2
        finally:
            await again.aclose()
            running.stop.set()
