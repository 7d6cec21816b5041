"""The Virtual Clinic through the API and /ws with two clients: the station requesting and the
provider answering — accept, accept and enter, decline with a note, declined while unavailable,
expiry, cancel, going unavailable with requests pending, newest on top."""

from __future__ import annotations

from tests.fakes import Client
from tests.virtual_clinic.clinic import API, Clinic, event


async def test_accepted_request_gives_both_sides_the_session_and_waiting_room_status(
        clinic: Clinic) -> None:
    async with clinic.provider.ws() as pws, clinic.station.ws() as sws:
        await clinic.set_available(clinic.provider)
        providers = (await clinic.station.request("GET", f"{API}/providers")).json()
        ada = next(p for p in providers["providers"] if p["id"] == clinic.provider_id)
        assert ada == {"id": clinic.provider_id, "name": "Dr Ada Lovelace", "available": True}

        request = await clinic.ask(service="Mental Health")
        alert = (await event(pws, "virtual_clinic.request_created"))["request"]
        assert alert["id"] == request["id"]
        assert alert["requester_name"] == "Requester Station"
        assert alert["service_name"] == "Mental Health"
        assert (await event(sws, "virtual_clinic.request_created"))["request"]["status"] == \
            "pending"
        assert [r["id"] for r in await clinic.incoming()] == [request["id"]]

        accepted = await clinic.provider.request("POST", f"{API}/requests/{request['id']}/accept",
                                                 json={})
        assert accepted.status_code == 200, accepted.text
        session_id = accepted.json()["session_id"]
        assert accepted.json()["next"] is None
        told = (await event(sws, "virtual_clinic.request_accepted"))["request"]
        assert told["session_id"] == session_id
        assert (await event(pws, "virtual_clinic.request_accepted"))["request"]["status"] == \
            "accepted"
        assert await clinic.incoming() == []
        assert await clinic.outgoing() == []

        # The requester's dashboard shows the new session ("Enter Waiting Room").
        [mine] = await clinic.sessions(clinic.station)
        assert mine["id"] == session_id and mine["url"] == f"/call?session={session_id}"
        assert "Mental Health" in mine["name"]
        [theirs] = await clinic.sessions(clinic.provider)
        assert theirs["your_role"] == "chair"
        requester = next(p for p in theirs["participants"] if p["role"] == "broadcaster")
        assert requester["status"] == "Not Yet Arrived"

        # The provider's dashboard watches the session; the requester arrives.
        watched = await pws.request("virtual_clinic.watch")
        assert watched["data"]["sessions"] == [session_id]
        entered = await sws.request("session.enter", {"session_id": session_id})
        assert entered["type"] == "reply", entered
        joined = await event(pws, "session.participant_joined")
        assert joined["participant"]["display_name"] == "Requester Station"
        [theirs] = await clinic.sessions(clinic.provider)
        requester = next(p for p in theirs["participants"] if p["role"] == "broadcaster")
        assert requester["status"] == "In Waiting Room"

        # The requester leaves the waiting room and comes back: same session, same participant.
        assert (await sws.request("session.leave", {"session_id": session_id}))["type"] == \
            "reply"
        assert (await event(pws, "session.participant_left"))["participant_id"] == \
            requester["id"]
        [theirs] = await clinic.sessions(clinic.provider)
        assert [p["status"] for p in theirs["participants"] if p["role"] == "broadcaster"] == \
            ["Left"]
        assert [s["id"] for s in await clinic.sessions(clinic.station)] == [session_id]
        back = await sws.request("session.enter", {"session_id": session_id})
        assert back["data"]["you"]["id"] == requester["id"]
        [theirs] = await clinic.sessions(clinic.provider)
        assert [p["status"] for p in theirs["participants"] if p["role"] == "broadcaster"] == \
            ["In Waiting Room"]

        # "Enter Meeting": both are in.
        assert (await pws.request("session.enter", {"session_id": session_id}))["type"] == \
            "reply"
        [theirs] = await clinic.sessions(clinic.provider)
        assert {p["status"] for p in theirs["participants"]} == {"In Meeting"}


async def test_accept_and_enter_sends_the_provider_straight_to_the_call(clinic: Clinic) -> None:
    await clinic.set_available(clinic.provider)
    request = await clinic.ask()
    accepted = await clinic.provider.request("POST", f"{API}/requests/{request['id']}/accept",
                                             json={"enter": True})
    assert accepted.status_code == 200
    session_id = accepted.json()["session_id"]
    assert accepted.json()["next"] == f"/call?session={session_id}"
    async with clinic.provider.ws() as pws:
        reply = await pws.request("session.enter", {"session_id": session_id})
        assert reply["data"]["you"]["role"] == "chair"


async def test_declined_request_shows_note_to_requester_until_dismissed(clinic: Clinic) -> None:
    async with clinic.station.ws() as sws, clinic.provider.ws() as pws:
        await clinic.set_available(clinic.provider)
        request = await clinic.ask()
        await event(pws, "virtual_clinic.request_created")
        declined = await clinic.provider.request(
            "POST", f"{API}/requests/{request['id']}/decline",
            json={"note": "Please try Dr Hopper today."})
        assert declined.status_code == 200, declined.text
        told = (await event(sws, "virtual_clinic.request_declined"))["request"]
        assert told["note"] == "Please try Dr Hopper today."
        assert told["reason"] == "declined_by_provider"
        assert (await event(pws, "virtual_clinic.request_declined"))["request"]["id"] == \
            request["id"]
        [shown] = await clinic.outgoing()
        assert shown["status"] == "declined" and shown["note"] == "Please try Dr Hopper today."

        again = await clinic.station.request("POST", f"{API}/requests", json={
            "provider_id": clinic.provider_id, "service_id": (await clinic.service())["id"]})
        assert again.status_code == 409 and again.json()["error"]["code"] == "dismiss_first"

        dismissed = await clinic.station.request(
            "POST", f"{API}/providers/{clinic.provider_id}/requests/{request['id']}/dismiss")
        assert dismissed.status_code == 200
        await event(sws, "virtual_clinic.request_dismissed")
        assert await clinic.outgoing() == []
        assert (await clinic.ask())["status"] == "pending"


async def test_request_to_unavailable_provider_is_declined_at_once_without_alert(
        clinic: Clinic) -> None:
    async with clinic.provider.ws() as pws, clinic.station.ws() as sws:
        await clinic.set_available(clinic.provider, False)
        request = await clinic.ask()
        assert request["status"] == "declined"
        assert request["reason"] == "provider_unavailable"
        told = (await event(sws, "virtual_clinic.request_declined"))["request"]
        assert told["reason"] == "provider_unavailable"
        await pws.request("ping")
        assert not [e for e in pws.events if e["type"].startswith("virtual_clinic.request")]
        assert await clinic.incoming() == []


async def test_unanswered_request_expires_and_both_sides_are_told(clinic: Clinic) -> None:
    assert (await clinic.settings(request_expiry_seconds=1))["request_expiry_seconds"] == 1
    async with clinic.provider.ws() as pws, clinic.station.ws() as sws:
        await clinic.set_available(clinic.provider)
        request = await clinic.ask()
        assert (await event(sws, "virtual_clinic.request_expired"))["request"]["id"] == \
            request["id"]
        assert (await event(pws, "virtual_clinic.request_expired"))["request"]["status"] == \
            "expired"
        assert await clinic.incoming() == []
        [shown] = await clinic.outgoing()
        assert shown["status"] == "expired"
        late = await clinic.provider.request("POST", f"{API}/requests/{request['id']}/accept",
                                             json={})
        assert late.status_code == 409 and late.json()["error"]["code"] == "request_closed"


async def test_requester_cancels_and_the_alert_goes_away(clinic: Clinic) -> None:
    async with clinic.provider.ws() as pws:
        await clinic.set_available(clinic.provider)
        request = await clinic.ask()
        await event(pws, "virtual_clinic.request_created")
        cancelled = await clinic.station.request(
            "POST", f"{API}/providers/{clinic.provider_id}/requests/{request['id']}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert (await event(pws, "virtual_clinic.request_cancelled"))["request"]["id"] == \
            request["id"]
        assert await clinic.incoming() == []
        assert await clinic.outgoing() == []
        late = await clinic.provider.request("POST", f"{API}/requests/{request['id']}/accept",
                                             json={})
        assert late.status_code == 404


async def test_going_unavailable_declines_pending_requests(clinic: Clinic) -> None:
    async with clinic.station.ws() as sws:
        await clinic.set_available(clinic.provider)
        request = await clinic.ask()
        await clinic.set_available(clinic.provider, False)
        told = (await event(sws, "virtual_clinic.request_declined"))["request"]
        assert told["id"] == request["id"]
        assert told["reason"] == "provider_went_unavailable"
        assert await clinic.incoming() == []


async def test_several_pending_requests_show_newest_on_top(clinic: Clinic) -> None:
    created = await clinic.admin.request("POST", "/api/v1/users", json={
        "email": "front.desk@demo.clinic", "password": "front-desk-pass", "name": "Front Desk",
        "role": "requester"})
    assert created.status_code == 201, created.text
    desk = Client(clinic.base)
    try:
        assert (await desk.signin("front.desk@demo.clinic", "front-desk-pass")).status_code == 200
        await clinic.set_available(clinic.provider)
        first = await clinic.ask()
        second = await clinic.ask(client=desk)
        assert [r["id"] for r in await clinic.incoming()] == [second["id"], first["id"]]
        names = [r["requester_name"] for r in await clinic.incoming()]
        assert names == ["Front Desk", "Requester Station"]
    finally:
        await desk.aclose()


async def test_availability_changes_reach_watching_requesters(clinic: Clinic) -> None:
    async with clinic.station.ws() as sws:
        assert (await sws.request("virtual_clinic.watch"))["type"] == "reply"
        await clinic.set_available(clinic.provider)
        told = await event(sws, "virtual_clinic.availability")
        assert told == {"provider_id": clinic.provider_id, "available": True}
