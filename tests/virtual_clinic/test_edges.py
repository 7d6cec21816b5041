"""Concurrent accepts from two tabs of one provider, and bad input: clear errors, nothing
changed."""

from __future__ import annotations

import trio

from tests.fakes import Client
from tests.virtual_clinic.clinic import API, Clinic


async def test_two_tabs_accepting_at_once_exactly_one_wins(clinic: Clinic) -> None:
    other_tab = Client(clinic.base)
    try:
        assert (await other_tab.signin("dr.ada@demo.clinic")).status_code == 200
        await clinic.set_available(clinic.provider)
        request = await clinic.ask()
        answers: list[tuple[int, dict]] = []

        async def accept(client: Client) -> None:
            response = await client.request("POST", f"{API}/requests/{request['id']}/accept",
                                            json={"enter": True})
            answers.append((response.status_code, response.json()))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(accept, clinic.provider)
            nursery.start_soon(accept, other_tab)
        assert sorted(status for status, _ in answers) == [200, 409]
        loser = next(body for status, body in answers if status == 409)
        assert loser["error"]["code"] == "request_already_accepted"
        assert "already accepted" in loser["error"]["message"]
        assert len(await clinic.sessions(clinic.provider)) == 1
        assert len(await clinic.sessions(clinic.station)) == 1
    finally:
        await other_tab.aclose()


async def test_bad_requests_get_clear_errors_and_change_nothing(clinic: Clinic) -> None:
    await clinic.set_available(clinic.provider)
    service_id = (await clinic.service())["id"]
    pending = await clinic.ask()

    async def post(client: Client, path: str, body: object | None = None) -> tuple[int, str]:
        response = await client.request("POST", f"{API}{path}", json=body)
        return response.status_code, response.json()["error"]["code"]

    assert await post(clinic.station, "/requests",
                      {"provider_id": "nobody", "service_id": service_id}) == \
        (404, "provider_not_found")
    assert await post(clinic.station, "/requests", {"provider_id": clinic.station_id,
                                                    "service_id": service_id}) == \
        (404, "provider_not_found")
    assert await post(clinic.provider_2, "/requests", {"provider_id": clinic.provider_id,
                                                       "service_id": service_id}) == \
        (403, "not_requester")
    assert await post(clinic.station, "/requests", {"provider_id": clinic.provider_2_id}) == \
        (400, "service_required")
    assert await post(clinic.station, "/requests", {"provider_id": clinic.provider_2_id,
                                                    "service_id": "nope"}) == \
        (404, "service_not_found")
    assert await post(clinic.station, "/requests", {"provider_id": clinic.provider_id,
                                                    "service_id": service_id}) == \
        (409, "request_pending")
    assert await post(clinic.station, "/requests", {"provider": 1}) == (400, "invalid_body")
    assert await post(clinic.station, "/requests", ["not", "an", "object"]) == \
        (400, "invalid_body")
    bad_body = await clinic.station.request("POST", f"{API}/requests", content=b"{not json",
                                            headers={"Content-Type": "application/json"})
    assert bad_body.status_code == 400
    # Someone else's request, the wrong role, a malformed decline.
    assert await post(clinic.provider_2, f"/requests/{pending['id']}/accept", {}) == \
        (404, "request_not_found")
    assert (await post(clinic.station, f"/requests/{pending['id']}/accept", {}))[0] == 403
    assert await post(clinic.provider, f"/requests/{pending['id']}/decline",
                      {"note": "x" * 501}) == (400, "invalid_body")
    assert await post(clinic.provider, f"/requests/{pending['id']}/accept",
                      {"enter": "maybe"}) == (400, "invalid_body")
    assert await post(clinic.provider_2,
                      f"/providers/{clinic.provider_id}/requests/{pending['id']}/cancel") == \
        (403, "not_requester")
    assert await post(clinic.station,
                      f"/providers/{clinic.provider_id}/requests/{pending['id']}/dismiss") == \
        (409, "request_not_dismissable")
    assert (await clinic.provider.request("PUT", f"{API}/availability",
                                          json={"available": "yes please"})).status_code == 400
    assert (await clinic.station.request("PUT", f"{API}/availability",
                                         json={"available": True})).status_code == 403
    assert (await clinic.provider.request("PATCH", f"{API}/settings",
                                          json={"enabled": False})).status_code == 403
    assert (await clinic.admin.request("PATCH", f"{API}/settings",
                                       json={"request_expiry_seconds": 0})).status_code == 400

    # Nothing changed: the one pending request is still there, unanswered.
    [still] = await clinic.incoming()
    assert still["id"] == pending["id"] and still["status"] == "pending"
    assert await clinic.sessions(clinic.provider) == []


async def test_notes_can_be_turned_off_by_the_organisation(clinic: Clinic) -> None:
    await clinic.settings(decline_notes=False)
    await clinic.set_available(clinic.provider)
    request = await clinic.ask()
    response = await clinic.provider.request("POST", f"{API}/requests/{request['id']}/decline",
                                             json={"note": "Busy"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "notes_disabled"
    assert (await clinic.provider.request("POST", f"{API}/requests/{request['id']}/decline",
                                          json={})).status_code == 200


async def test_an_organisation_without_the_virtual_clinic_sees_none_of_it(clinic: Clinic
                                                                         ) -> None:
    assert (await clinic.settings(enabled=False))["enabled"] is False
    response = await clinic.station.request("GET", f"{API}/providers")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "workflow_disabled"
    sections = await clinic.provider.request("GET", "/api/v1/dashboard")
    if sections.status_code == 200:  # the dashboard API comes with the web UI
        assert "virtual-clinic" not in [s["id"] for s in sections.json()["sections"]]
    async with clinic.station.ws() as sws:
        reply = await sws.request("virtual_clinic.watch")
        assert reply["error"]["code"] == "workflow_disabled"
    assert (await clinic.settings(enabled=True))["enabled"] is True
    assert (await clinic.station.request("GET", f"{API}/providers")).status_code == 200
