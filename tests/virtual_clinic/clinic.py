"""Test helpers: the demo clinic's people signed in, and the API calls a dashboard makes."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import trio

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, STATION, Client, WsClient

API = "/api/v1/virtual-clinic"
#: Longest any test waits for an event before failing (never asserted as a timing).
WAIT = 10.0


async def user_id(client: Client) -> str:
    return str((await client.request("GET", "/api/v1/me")).json()["user"]["id"])


async def event(ws: WsClient, kind: str) -> dict[str, Any]:
    """The next event of ``kind`` (earlier ones already received count too), bounded."""
    for i, seen in enumerate(ws.events):
        if seen["type"] == kind:
            return ws.events.pop(i)["data"]  # type: ignore[no-any-return]
    with trio.fail_after(WAIT):
        return (await ws.next_event(kind))["data"]


@dataclasses.dataclass
class Clinic:
    """The demo organisation's provider, second provider, station and admin, signed in."""

    base: str
    provider: Client
    provider_2: Client
    station: Client
    admin: Client
    provider_id: str = ""
    provider_2_id: str = ""
    station_id: str = ""

    @classmethod
    async def open(cls, base: str) -> Clinic:
        people = [Client(base) for _ in range(4)]
        for client, email in zip(people, (PROVIDER, PROVIDER_2, STATION, ADMIN), strict=True):
            assert (await client.signin(email)).status_code == 200
        clinic = cls(base, *people)
        clinic.provider_id = await user_id(clinic.provider)
        clinic.provider_2_id = await user_id(clinic.provider_2)
        clinic.station_id = await user_id(clinic.station)
        return clinic

    def cookies(self) -> list[str]:
        return [c.cookie for c in (self.provider, self.provider_2, self.station, self.admin)]

    @classmethod
    async def resume(cls, base: str, cookies: list[str]) -> Clinic:
        """The same people on another node, still signed in with the cookies they held."""
        people = []
        for cookie in cookies:
            client = Client(base)
            client.http.cookies.set("vclinic_session", cookie)
            me = await client.request("GET", "/api/v1/me")
            assert me.status_code == 200, me.text
            client.csrf = me.json()["csrf_token"]
            people.append(client)
        clinic = cls(base, *people)
        clinic.provider_id = await user_id(clinic.provider)
        clinic.provider_2_id = await user_id(clinic.provider_2)
        clinic.station_id = await user_id(clinic.station)
        return clinic

    async def aclose(self) -> None:
        for client in (self.provider, self.provider_2, self.station, self.admin):
            await client.aclose()

    async def service(self, name: str = "General Practice") -> dict[str, Any]:
        body = (await self.station.request("GET", f"{API}/providers")).json()
        return next(s for s in body["services"] if s["name"] == name)

    async def set_available(self, client: Client, available: bool = True) -> httpx.Response:
        response = await client.request("PUT", f"{API}/availability",
                                        json={"available": available})
        assert response.status_code == 200, response.text
        return response

    async def ask(self, provider_id: str | None = None, client: Client | None = None,
                  service: str = "General Practice") -> dict[str, Any]:
        """Request Session Now (as the station unless ``client``), with a service checked."""
        service_id = (await self.service(service))["id"]
        response = await (client or self.station).request(
            "POST", f"{API}/requests",
            json={"provider_id": provider_id or self.provider_id, "service_id": service_id})
        assert response.status_code == 201, response.text
        return response.json()["request"]  # type: ignore[no-any-return]

    async def settings(self, **changes: Any) -> dict[str, Any]:
        response = await self.admin.request("PATCH", f"{API}/settings", json=changes)
        assert response.status_code == 200, response.text
        return response.json()["settings"]  # type: ignore[no-any-return]

    async def incoming(self, client: Client | None = None) -> list[dict[str, Any]]:
        body = (await (client or self.provider).request("GET", f"{API}/requests")).json()
        return body["incoming"]  # type: ignore[no-any-return]

    async def outgoing(self) -> list[dict[str, Any]]:
        return (await self.station.request("GET", f"{API}/requests")).json()[  # type: ignore[no-any-return]
            "outgoing"]

    async def sessions(self, client: Client) -> list[dict[str, Any]]:
        return (await client.request("GET", f"{API}/sessions")).json()[  # type: ignore[no-any-return]
            "sessions"]
