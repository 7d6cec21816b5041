"""Bad input and who may do what: refused with a code the page can act on, nothing changes."""

from __future__ import annotations

from typing import Any

from tests.fakes import PROVIDER, Client
from tests.on_demand.conftest import SLUG, Patient, listing


async def test_patient_information_is_checked(patient: Patient) -> None:
    path = f"/api/v1/on_demand/orgs/{SLUG}/requests"
    bad_email = await patient.request("POST", path, json={"name": "Pat", "email": "no-at"})
    assert bad_email.json()["error"]["code"] == "invalid_email"
    no_name = await patient.request("POST", path, json={"name": "   ", "email": "a@b.org"})
    assert no_name.json()["error"]["code"] == "invalid_name"
    unknown = await patient.request("POST", "/api/v1/on_demand/orgs/nowhere/requests",
                                    json={"name": "Pat", "email": "a@b.org"})
    assert unknown.status_code == 404
    assert (await patient.request("GET", "/api/v1/on_demand/patient")).status_code == 401
    assert (await patient.request("GET", "/o/nowhere/calendar")).status_code == 404
    page = await patient.request("GET", f"/o/{SLUG}/calendar")
    assert page.status_code == 200 and "Meet Now" in page.text


async def test_answers_are_checked_and_required_ones_enforced(patient: Patient,
                                                              admin: Client) -> None:
    await patient.start()

    async def answer(**answers: Any) -> Any:
        return await patient.request("PATCH", "/api/v1/on_demand/patient/answers",
                                     json={"answers": answers})

    assert (await answer(shoe_size="9")).json()["error"]["code"] == "unknown_field"
    assert (await answer(state="Atlantis")).json()["error"]["code"] == "invalid_answer"
    assert (await answer(phone="call me")).json()["error"]["code"] == "invalid_answer"
    assert (await answer(consent="yes")).json()["error"]["code"] == "invalid_answer"
    assert (await answer(reason="x" * 3000)).json()["error"]["code"] == "invalid_answer"
    assert (await answer(state="ny")).json()["answers"] == {"state": "NY"}
    incomplete = await patient.request("POST", "/api/v1/on_demand/patient/complete")
    assert incomplete.status_code == 400
    assert incomplete.json()["error"]["details"]["missing"] == ["reason", "consent"]
    [row] = (await listing(admin))["requests"]
    assert row["case"] == {"state": "NY"} and row["status"] == "intake"


async def test_admin_configures_the_setup_guide(admin: Client, provider: Client,
                                                patient: Patient) -> None:
    fields = [{"key": "reason", "label": "Reason for visit", "kind": "long_text",
               "required": True},
              {"key": "insurance", "label": "Insurance", "kind": "choice",
               "options": ["Medicare", "Private", "None"], "required": False}]
    saved = await admin.request("PUT", "/api/v1/on_demand/intake", json={"fields": fields})
    assert saved.status_code == 200, saved.text
    public = (await patient.request("GET", f"/api/v1/on_demand/orgs/{SLUG}")).json()
    assert [f["key"] for f in public["fields"]] == ["reason", "insurance"]
    await patient.start()
    assert (await patient.answer(insurance="Private"))["answers"] == {"insurance": "Private"}
    await patient.answer(reason="Follow-up")
    done = await patient.request("POST", "/api/v1/on_demand/patient/complete")
    assert done.json()["status"] == "waiting"
    bad = await admin.request("PUT", "/api/v1/on_demand/intake",
                              json={"fields": [{"key": "Bad Key", "label": "x"}]})
    assert bad.json()["error"]["code"] == "invalid_fields"
    dup = await admin.request("PUT", "/api/v1/on_demand/intake", json={"fields": [
        {"key": "a", "label": "A"}, {"key": "a", "label": "B"}]})
    assert dup.json()["error"]["code"] == "invalid_fields"
    forbidden = await provider.request("PUT", "/api/v1/on_demand/intake",
                                       json={"fields": fields})
    assert forbidden.status_code == 403


async def test_staff_rules(clients: Any, admin: Client, patient: Patient) -> None:
    off_call: Client = await clients(PROVIDER)
    started = await patient.start()
    request_id = started["request_id"]
    refused = await off_call.request("GET", "/api/v1/on_demand/requests")
    assert refused.json()["error"]["code"] == "not_on_call"
    claim = await off_call.request("POST", f"/api/v1/on_demand/requests/{request_id}/claim")
    assert claim.json()["error"]["code"] == "not_on_call"
    async with off_call.ws() as ws:
        answer = await ws.request("on_demand.subscribe")
        assert answer["error"]["code"] == "not_on_call"
    me = (await off_call.request("GET", "/api/v1/me")).json()["user"]["id"]
    assign = await admin.request("POST", f"/api/v1/on_demand/requests/{request_id}/assign",
                                 json={"provider_id": me})
    assert assign.json()["error"]["code"] == "provider_not_on_call"
    assert (await admin.request("POST", "/api/v1/on_demand/requests/nope/claim")).json()[
        "error"]["code"] == "already_claimed"
    assert (await admin.request("GET", "/api/v1/on_demand/requests",
                                params={"limit": 5000})).status_code == 400
    assert (await patient.request("GET", "/api/v1/on_demand/requests")).status_code == 401
    assert (await off_call.request("POST", f"/api/v1/on_demand/requests/{request_id}/decline")
            ).status_code == 403
    assert (await listing(admin))["total"] == 1
