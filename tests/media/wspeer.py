"""Test clients that negotiate media through a real node's ``/ws``, as a browser tab does.

A :class:`WsPeer` owns one trio-websocket connection and one aiortc :class:`Peer` (on the
shared asyncio thread). Its reader task routes replies to the request waiting for them, keeps
every event, and hands ``media.server_offer`` events to an answering task that answers them
with ``media.answer`` (serialised with the peer's own offers by a lock).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio
from trio_websocket import ConnectionClosed, WebSocketConnection, open_websocket_url

from tests.fakes import Client, FakeSessions, base_url, start_node
from tests.media.peer import AsyncioThread, Peer
from vclinic.media import protocol as p
from vclinic.media.access import MediaGrant
from vclinic.server.run import Running

SESSION = "visit-1"
_ALL = p.Permissions()


class WsPeer:
    """One signed-in tab: a /ws connection and an aiortc peer connection behind it."""

    def __init__(self, conn: WebSocketConnection, aio: AsyncioThread, session_id: str,
                 peer: Peer) -> None:
        self.conn = conn
        self.aio = aio
        self.session_id = session_id
        self.peer = peer
        self.user_id = ""
        #: Every message received, in order: (type, txn) for replies and errors, (type, seq).
        self.log: list[tuple[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.changed = trio.Event()
        self.lock = trio.Lock()
        self._replies: dict[str, dict[str, Any]] = {}
        self._txn = 0
        self._offers_send, self._offers = trio.open_memory_channel[dict[str, Any]](64)

    async def _read(self, task_status: trio.TaskStatus[None]) -> None:
        hello = json.loads(await self.conn.get_message())
        self.user_id = hello["data"]["user"]["id"]
        task_status.started()
        while True:
            try:
                message = json.loads(await self.conn.get_message())
            except ConnectionClosed:
                return
            kind = message["type"]
            if kind in ("reply", "error"):
                self.log.append((kind, message.get("txn")))
                self._replies[message.get("txn")] = message
            else:
                self.log.append((kind, message.get("seq")))
                self.events.append(message)
                if kind == "media.server_offer":
                    await self._offers_send.send(message)
            self.changed.set()
            self.changed = trio.Event()

    async def _answer_offers(self) -> None:
        async for message in self._offers:
            async with self.lock:
                answer = await self.aio.run(self.peer.answer, message["data"]["sdp"])
                if answer is not None:
                    await self.request("media.answer", {"session_id": self.session_id,
                                                        "sdp": answer})

    async def request(self, kind: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a message; its reply or error."""
        self._txn += 1
        txn = f"{self.peer.name}-{self._txn}"
        await self.conn.send_message(json.dumps({"v": 1, "type": kind, "txn": txn,
                                                 "data": data or {}}))
        while txn not in self._replies:
            await self.changed.wait()
        return self._replies.pop(txn)

    async def connect(self, sources: dict[str, str] | None = None,
                      **publish: bool) -> dict[str, Any]:
        """Offer a fresh connection publishing ``publish`` (``sources`` names its mids'
        sources, as a browser does for a screen) and apply the answer; the reply."""
        async with self.lock:
            sdp = await self.aio.run(self.peer.offer, publish.get("audio", True),
                                     publish.get("video", True), publish.get("screen", False))
            data: dict[str, Any] = {"session_id": self.session_id, "sdp": sdp}
            if sources is not None:
                data["sources"] = sources
            reply = await self.request("media.offer", data)
            if reply["type"] == "reply":
                await self.aio.run(self.peer.accept, reply["data"]["sdp"])
            return reply

    async def snapshot(self) -> dict[str, Any]:
        async def snap(peer: Peer) -> dict[str, Any]:
            return peer.snapshot()

        return await self.aio.run(snap, self.peer)  # type: ignore[no-any-return]

    async def wait_until(self, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll the received media until ``check`` holds (the caller sets a deadline)."""
        while True:
            snap = await self.snapshot()
            if check(snap):
                return snap
            await trio.sleep(0.1)

    async def wait_event(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first event (already received or coming) for which ``match`` holds."""
        seen = 0
        while True:
            for event in self.events[seen:]:
                if match(event):
                    return event
            seen = len(self.events)
            await self.changed.wait()

    async def forget_media(self) -> None:
        async def reset(peer: Peer) -> None:
            peer.reset_media()

        await self.aio.run(reset, self.peer)


@asynccontextmanager
async def ws_peer(client: Client, aio: AsyncioThread, session_id: str,
                  peer: Peer) -> AsyncIterator[WsPeer]:
    """Open ``client``'s /ws and run a WsPeer on it; its aiortc connection closes on exit."""
    url = client.base.replace("http://", "ws://") + "/ws"
    headers = [(b"Origin", client.base.encode()),
               (b"Cookie", f"vclinic_session={client.cookie}".encode())]
    async with open_websocket_url(url, extra_headers=headers) as conn, \
            trio.open_nursery() as nursery:
        tab = WsPeer(conn, aio, session_id, peer)
        await nursery.start(tab._read)
        nursery.start_soon(tab._answer_offers)
        try:
            yield tab
        finally:
            # Stop answering first: an answer still being made would race the close.
            nursery.cancel_scope.cancel()
            with trio.CancelScope(shield=True):
                async with tab.lock:
                    await aio.run(peer.close)


class Call:
    """A node with media, a fake session model, and signed-in tabs joining one session."""

    def __init__(self, node: Running, aio: AsyncioThread, nursery: trio.Nursery) -> None:
        self.node = node
        self.aio = aio
        self.sessions = FakeSessions()
        node.context.sessions = self.sessions
        assert node.context.media is not None
        self.media = node.context.media
        self._nursery = nursery
        self._clients: list[Client] = []

    async def tab(self, email: str, participant_id: str,
                  permissions: p.Permissions = _ALL, consent: bool = False,
                  session_id: str = SESSION, peer: Peer | None = None) -> WsPeer:
        """Sign ``email`` in, open its /ws, and grant it ``permissions`` in the session;
        ``peer`` is the aiortc client behind the tab (a plain :class:`Peer` by default)."""
        client = Client(base_url(self.node))
        self._clients.append(client)
        assert (await client.signin(email)).status_code == 200
        opened = await self._nursery.start(self._hold_open, client,
                                           peer or Peer(participant_id), session_id)
        self.sessions.grant(session_id, opened.user_id,
                            MediaGrant(participant_id, permissions, consent))
        return opened  # type: ignore[no-any-return]

    async def _hold_open(self, client: Client, peer: Peer, session_id: str,
                         task_status: trio.TaskStatus[WsPeer]) -> None:
        async with ws_peer(client, self.aio, session_id, peer) as tab:
            task_status.started(tab)
            await trio.sleep_forever()

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


@pytest.fixture
def node_settings() -> dict[str, Any]:
    """Extra settings of the media test node; a test module overrides this fixture."""
    return {}


@pytest.fixture
async def call(nursery: trio.Nursery, tmp_path: Path, aio: AsyncioThread,
               node_settings: dict[str, Any]) -> AsyncIterator[Call]:
    node = await start_node(nursery, tmp_path, media=True, **node_settings)
    harness = Call(node, aio, nursery)
    try:
        yield harness
    finally:
        await harness.aclose()
