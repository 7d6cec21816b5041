"""Fixtures for On-Demand: a real node on loopback (short grace period), signed-in staff, and
anonymous patients with their own cookie jar and socket."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import open_websocket_url

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, Client, WsClient, base_url, start_node
from tests.smtp import smtp_server  # noqa: F401 - a fixture for the decline test
from vclinic.server.run import Running

SLUG = "demo-clinic"
#: Short, so that abandonment is seen quickly; long enough for a reconnect.
GRACE = 1.0


class Staff(Client):
    """A client that allows slow answers: the test machine may be shared and loaded, and the
    tests check outcomes, not timings."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.http.timeout = httpx.Timeout(30.0)


class Patient(Staff):
    """A patient on the public page: no account, the ``vclinic_od`` cookie once they start."""

    async def start(self, name: str = "Pat Example", email: str = "pat@example.org"
                    ) -> dict[str, Any]:
        response = await self.request("POST", f"/api/v1/on_demand/orgs/{SLUG}/requests",
                                      json={"name": name, "email": email})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def answer(self, **answers: Any) -> dict[str, Any]:
        response = await self.request("PATCH", "/api/v1/on_demand/patient/answers",
                                      json={"answers": answers})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def status(self) -> dict[str, Any]:
        return (await self.request("GET", "/api/v1/on_demand/patient")).json()  # type: ignore[no-any-return]

    @asynccontextmanager
    async def socket(self) -> AsyncIterator[WsClient]:
        url = self.base.replace("http://", "ws://") + "/on_demand/patient/ws"
        headers = [(b"Origin", self.base.encode()),
                   (b"Cookie", f"vclinic_od={self.http.cookies.get('vclinic_od')}".encode())]
        async with open_websocket_url(url, extra_headers=headers) as conn:
            yield WsClient(conn)


@pytest.fixture
async def node(nursery: trio.Nursery, tmp_path: Path) -> Running:
    return await start_node(nursery, tmp_path, ws_grace_seconds=GRACE)


@pytest.fixture
async def clients(node: Running) -> AsyncIterator[Callable[..., Awaitable[Client]]]:
    made: list[Client] = []

    async def make(email: str | None = None, on_call: bool = False, patient: bool = False
                   ) -> Client:
        client: Client = Patient(base_url(node)) if patient else Staff(base_url(node))
        made.append(client)
        if email is not None:
            assert (await client.signin(email)).status_code == 200
        if on_call:
            response = await client.request("PUT", "/api/v1/on_demand/on-call",
                                            json={"on_call": True})
            assert response.json() == {"on_call": True}
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def admin(clients: Callable[..., Awaitable[Client]]) -> Client:
    return await clients(ADMIN)


@pytest.fixture
async def provider(clients: Callable[..., Awaitable[Client]]) -> Client:
    return await clients(PROVIDER, on_call=True)


@pytest.fixture
async def provider_2(clients: Callable[..., Awaitable[Client]]) -> Client:
    return await clients(PROVIDER_2, on_call=True)


@pytest.fixture
async def patient(clients: Callable[..., Awaitable[Client]]) -> Patient:
    return await clients(patient=True)  # type: ignore[return-value]


async def user_id(client: Client) -> str:
    return str((await client.request("GET", "/api/v1/me")).json()["user"]["id"])


async def listing(client: Client, **params: Any) -> dict[str, Any]:
    response = await client.request("GET", "/api/v1/on_demand/requests", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def dumps(value: Any) -> str:
    return json.dumps(value)
