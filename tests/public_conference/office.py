"""Test helpers for Public Conference: the demo organisation's admin and two providers signed in,
event types and events placed relative to now."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import Any

import httpx

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, Client

API = "/api/v1/conferences"


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()["error"]  # type: ignore[no-any-return]


def at(minutes: float) -> str:
    """An ISO time ``minutes`` from now, in UTC."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


@dataclasses.dataclass
class Office:
    """The admin, Dr Ada (who schedules) and Dr Grace (a linked staff member)."""

    base: str
    admin: Client
    ada: Client
    grace: Client
    ada_id: str = ""
    grace_id: str = ""

    @classmethod
    async def open(cls, base: str) -> Office:
        people = [Client(base) for _ in range(3)]
        for client, email in zip(people, (ADMIN, PROVIDER, PROVIDER_2), strict=True):
            assert (await client.signin(email)).status_code == 200
        office = cls(base, *people)
        office.ada_id = ok(await office.ada.request("GET", "/api/v1/me"))["user"]["id"]
        office.grace_id = ok(await office.grace.request("GET", "/api/v1/me"))["user"]["id"]
        return office

    async def aclose(self) -> None:
        for client in (self.admin, self.ada, self.grace):
            await client.aclose()

    async def event_type(self, *, video: bool = True, public: bool = True) -> str:
        body = {"name": f"Type {secrets.token_hex(4)}", "video_conferencing": video,
                "public_conference": public}
        return str(ok(await self.admin.request("POST", f"{API}/event-types", json=body),
                      201)["event_type"]["id"])

    async def event(self, *, public: bool = True, patients: list[dict[str, Any]] | None = None,
                    **extra: Any) -> dict[str, Any]:
        """An event Dr Ada saves, linking herself, Dr Grace and the patients given (by default
        one patient, Pat, with an email and a phone)."""
        if patients is None:
            patients = [{"name": "Pat Patient", "email": "pat@example.org",
                         "phone": "+15550100"}]
        body = {"type_id": await self.event_type(public=public), "title": "Family meeting",
                "starts_at": at(5), "duration_minutes": 45,
                "staff": [self.ada_id, self.grace_id], "patients": patients, **extra}
        return ok(await self.ada.request("POST", API, json=body), 201)

    async def link(self, event: dict[str, Any], name: str) -> str:
        [person] = [m for m in event["members"] if m["name"] == name]
        got = ok(await self.ada.request(
            "GET", f"{API}/{event['id']}/members/{person['id']}/link"))
        return str(got["link"]).removeprefix(self.base)
