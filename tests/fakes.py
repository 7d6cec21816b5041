"""Shared test helpers: a real node on loopback, an HTTP client and a /ws client for it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import trio
from trio_websocket import WebSocketConnection, open_websocket_url

from vclinic.config import load_settings
from vclinic.errors import Forbidden
from vclinic.media.access import MediaGrant
from vclinic.server.run import Running, serve

DEMO_PASSWORD = "demo-password-1"
ADMIN = "admin@demo.clinic"
PROVIDER = "dr.ada@demo.clinic"
PROVIDER_2 = "dr.grace@demo.clinic"
STATION = "station@demo.clinic"


class FakeSessions:
    """A SessionAccess over a dict: ``grants[(session_id, user_id)]``; put on a node's context
    (``running.context.sessions = FakeSessions()``) in place of the sessions component."""

    def __init__(self) -> None:
        self.grants: dict[tuple[str, str], MediaGrant] = {}

    def grant(self, session_id: str, user_id: str, grant: MediaGrant) -> None:
        self.grants[(session_id, user_id)] = grant

    async def media_grant(self, session_id: str, principal: Any) -> MediaGrant:
        try:
            return self.grants[(session_id, principal.user_id)]
        except KeyError:
            raise Forbidden("Enter the session first.", code="not_in_session") from None


async def start_node(nursery: trio.Nursery, data_dir: Path, *, media: bool = False,
                     **settings: Any) -> Running:
    """Start a real node (hypercorn, actors, store) on 127.0.0.1 with a free port.

    Only with ``media=True`` does it start a media worker (an aiortc process on loopback): a test
    that sends no audio or video gets a node that starts faster, whose media requests answer
    ``media_down``."""
    options: dict[str, Any] = {"data_dir": str(data_dir), "port": 0, "demo": True,
                               "log_level": "warning", "media": media, "media_workers": 1,
                               "media_host_addresses": ["127.0.0.1"]}
    options.update(settings)
    running: Running = await nursery.start(
        partial(serve, load_settings(env={}, **options), handle_signals=False)
    )
    return running


def base_url(running: Running) -> str:
    return running.urls[0]


class Client:
    """A signed-in (or anonymous) HTTP client that behaves like the web UI's api.js."""

    def __init__(self, base: str, local_address: str | None = None) -> None:
        self.base = base
        # ``local_address`` (127.0.0.x) makes the client a different machine for the server.
        transport = httpx.AsyncHTTPTransport(local_address=local_address)
        self.http = httpx.AsyncClient(base_url=base, headers={"Origin": base},
                                      transport=transport)
        self.csrf: str | None = None

    async def signin(self, email: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        response = await self.http.post("/api/v1/auth/signin",
                                        json={"email": email, "password": password})
        if response.status_code == 200:
            self.csrf = response.json()["csrf_token"]
        return response

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if method != "GET" and self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        return await self.http.request(method, path, headers=headers, **kwargs)

    @property
    def cookie(self) -> str:
        return self.http.cookies.get("vclinic_session", "")

    @asynccontextmanager
    async def ws(self, origin: str | None = None) -> AsyncIterator[WsClient]:
        url = self.base.replace("http://", "ws://") + "/ws"
        headers = [(b"Origin", (origin or self.base).encode())]
        if self.cookie:
            headers.append((b"Cookie", f"vclinic_session={self.cookie}".encode()))
        async with open_websocket_url(url, extra_headers=headers) as conn:
            yield WsClient(conn)

    async def aclose(self) -> None:
        await self.http.aclose()


class WsClient:
    """A /ws client speaking the envelope of docs/protocol.md."""

    def __init__(self, conn: WebSocketConnection) -> None:
        self.conn = conn
        self.events: list[dict[str, Any]] = []
        self._txn = 0

    async def receive(self) -> dict[str, Any]:
        return json.loads(await self.conn.get_message())  # type: ignore[no-any-return]

    async def next_event(self, kind: str) -> dict[str, Any]:
        """The next event of type ``kind`` (events of other types are kept in ``events``)."""
        while True:
            message = await self.receive()
            if message["type"] == kind:
                return message
            self.events.append(message)

    async def request(self, kind: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a message and return its reply or error (events meanwhile go to ``events``)."""
        self._txn += 1
        txn = f"t{self._txn}"
        await self.conn.send_message(json.dumps({"v": 1, "type": kind, "txn": txn,
                                                 "data": data or {}}))
        return await self.answer(txn)

    async def answer(self, txn: str | None) -> dict[str, Any]:
        while True:
            message = await self.receive()
            if message["type"] in ("reply", "error") and message.get("txn") == txn:
                return message
            self.events.append(message)


async def eventually(check: Any, what: str, *, attempts: int = 400, interval: float = 0.05
                     ) -> Any:
    """Poll ``await check()`` until it returns something truthy; fail after ``attempts`` tries.

    For state that has no event to wait on (a row written by another task)."""
    for _ in range(attempts):
        result = await check()
        if result:
            return result
        await trio.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class RecordingMedia:
    """A MediaControl (vclinic.sessions.media) that records what the session actors told it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.changed = trio.Event()

    def _record(self, *call: Any) -> None:
        self.calls.append(call)
        self.changed.set()
        self.changed = trio.Event()

    async def set_permissions(self, session_id: str, participant_id: str,
                              permissions: Any) -> None:
        self._record("set_permissions", session_id, participant_id, permissions)

    async def remove_participant(self, session_id: str, participant_id: str) -> None:
        self._record("remove_participant", session_id, participant_id)

    async def close_room(self, session_id: str) -> None:
        self._record("close_room", session_id)
