"""Test helpers for Visits: the demo organisation's admin and two providers signed in, a client
with or without an email, a virtual service code, and visits placed relative to now."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import Any

import httpx

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, Client

API = "/api/v1/visits"


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()["error"]  # type: ignore[no-any-return]


def at(minutes: float) -> str:
    """An ISO time ``minutes`` from now (negative: in the past), in UTC."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


@dataclasses.dataclass
class Home:
    """The admin, Dr Ada (the assigned employee) and Dr Grace (another employee)."""

    base: str
    admin: Client
    ada: Client
    grace: Client
    ada_id: str = ""
    grace_id: str = ""

    @classmethod
    async def open(cls, base: str) -> Home:
        people = [Client(base) for _ in range(3)]
        for client, email in zip(people, (ADMIN, PROVIDER, PROVIDER_2), strict=True):
            assert (await client.signin(email)).status_code == 200
        home = cls(base, *people)
        home.ada_id = ok(await home.ada.request("GET", "/api/v1/me"))["user"]["id"]
        home.grace_id = ok(await home.grace.request("GET", "/api/v1/me"))["user"]["id"]
        return home

    async def aclose(self) -> None:
        for client in (self.admin, self.ada, self.grace):
            await client.aclose()

    async def client(self, email: str | None = "client@example.org") -> str:
        body = {"first_name": "Cora", "last_name": "Client", "email": email}
        return str(ok(await self.admin.request("POST", f"{API}/clients", json=body),
                      201)["client"]["id"])

    async def code(self, virtual: bool = True) -> str:
        body = {"code": ("V" if virtual else "P") + secrets.token_hex(4),
                "name": "Virtual care" if virtual else "Personal care",
                "allows_virtual": virtual}
        return str(ok(await self.admin.request("POST", f"{API}/service-codes", json=body),
                      201)["service_code"]["id"])

    async def visit(self, start: float = -10, end: float = 50, *, email: str | None =
                    "client@example.org", virtual: bool = True) -> dict[str, Any]:
        """A visit of Dr Ada, starting ``start`` and ending ``end`` minutes from now."""
        body = {"client_id": await self.client(email), "employee_id": self.ada_id,
                "service_code_id": await self.code(virtual), "starts_at": at(start),
                "ends_at": at(end)}
        return ok(await self.admin.request("POST", API, json=body), 201)[  # type: ignore[no-any-return]
            "visit"]

    async def post(self, who: Client, visit_id: str, action: str,
                   json: dict[str, Any] | None = None) -> httpx.Response:
        return await who.request("POST", f"{API}/{visit_id}/{action}", json=json or {})
