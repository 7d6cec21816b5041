"""Shared steps of the public calendar's tests: set weekly hours, list times, book one."""

from __future__ import annotations

from typing import Any

from tests.fakes import Client
from tests.on_demand.conftest import SLUG

EVERY_DAY = [{"day": d, "start": "09:00", "end": "11:00"}
             for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                       "sunday")]

#: Answers to the default setup guide's required questions.
ANSWERS = {"reason": "A rash on my arm", "state": "CA", "consent": True}


async def set_hours(admin: Client, provider_id: str, slot_minutes: int = 30,
                    time_zone: str = "UTC") -> dict[str, Any]:
    response = await admin.request("PUT", "/api/v1/on_demand/calendar", json={
        "slot_minutes": slot_minutes, "time_zone": time_zone,
        "hours": {provider_id: EVERY_DAY}})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def free_slots(client: Client) -> dict[str, list[str]]:
    """``{provider name: [UTC start]}`` as the public page gets them."""
    response = await client.request("GET", f"/api/v1/on_demand/orgs/{SLUG}/slots")
    assert response.status_code == 200, response.text
    return {p["name"]: p["slots"] for p in response.json()["providers"]}


async def book(client: Client, provider_id: str, starts_at: str, *, name: str = "Bo Booker",
               email: str = "bo@example.org", **extra: Any) -> Any:
    return await client.request("POST", f"/api/v1/on_demand/orgs/{SLUG}/bookings", json={
        "provider_id": provider_id, "starts_at": starts_at, "name": name, "email": email,
        "answers": ANSWERS, **extra})
