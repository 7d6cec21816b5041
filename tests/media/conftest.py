"""Fixtures for media tests: a real worker behind a MediaClient, aiortc peers, a signalling pump."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import trio

from tests.media.peer import FPS, AsyncioThread, Peer, read_counter
from vclinic.media import protocol as p
from vclinic.media.client import MediaClient, WorkerRestarted

DEADLINE = 30
_ALL = p.Permissions()


class Harness:
    """Relays the worker's server offers to test peers, as the /ws gateway will for browsers."""

    def __init__(self, client: MediaClient, aio: AsyncioThread) -> None:
        self.client = client
        self.aio = aio
        self.peers: dict[str, Peer] = {}
        self.events: list[Any] = []
        self.changed = trio.Event()
        self._locks: dict[str, trio.Lock] = {}

    def lock(self, handle: str) -> trio.Lock:
        return self._locks.setdefault(handle, trio.Lock())

    async def pump(self) -> None:
        async for event in self.client.events:
            self.events.append(event)
            if isinstance(event, p.ServerOffer) and event.handle in self.peers:
                async with self.lock(event.handle):
                    peer = self.peers[event.handle]
                    answer = await self.aio.run(peer.answer, event.sdp)
                    if answer is not None:
                        await self.client.answer(event.handle, answer)
            self.changed.set()
            self.changed = trio.Event()

    async def join(
        self, room: str, handle: str, permissions: p.Permissions = _ALL,
        consent: bool = False, chrome: bool = False,
    ) -> Peer:
        await self.client.join(room, handle, permissions, consent)
        self.peers[handle] = Peer(handle, chrome=chrome)
        return self.peers[handle]

    async def connect(self, handle: str, **publish: bool) -> None:
        """Send the peer's offer through the worker and apply the answer."""
        peer = self.peers[handle]
        async with self.lock(handle):
            offer = await self.aio.run(peer.offer, *_publish_args(publish))
            answer = await self.client.offer(handle, offer)
            await self.aio.run(peer.accept, answer)

    async def snapshot(self, handle: str) -> dict[str, Any]:
        return await self.aio.run(_snapshot, self.peers[handle])

    async def wait_until(self, handle: str, check: Callable[[dict[str, Any]], bool]) -> dict:
        """Poll ``handle``'s received media until ``check`` holds (the caller sets a deadline)."""
        while True:
            snap = await self.snapshot(handle)
            if check(snap):
                return snap
            await trio.sleep(0.1)

    async def two_party_call(self, room: str = "r") -> None:
        """The common start: ``alice`` publishes audio and video to ``bob``, who receives only,
        and bob decodes increasing video counters."""
        await self.client.create_room(room)
        await self.join(room, "alice")
        await self.join(room, "bob")
        await self.connect("alice")
        await self.connect("bob", audio=False, video=False)
        await self.wait_until("bob", increasing_video)

    async def wait_event(self, match: Callable[[Any], bool]) -> Any:
        while True:
            for event in self.events:
                if match(event):
                    return event
            await self.changed.wait()


def _publish_args(publish: dict[str, bool]) -> tuple[bool, bool, bool]:
    return (publish.get("audio", True), publish.get("video", True), publish.get("screen", False))


async def _snapshot(peer: Peer) -> dict[str, Any]:
    return peer.snapshot()


def increasing_video(snap: dict[str, Any], minimum: int = 10) -> bool:
    """Some received video track's last ``minimum`` counters strictly increase."""
    for counters in snap["counters"].values():
        tail = counters[-minimum:]
        if len(tail) >= minimum and all(b > a for a, b in itertools.pairwise(tail)):
            return True
    return False


def latest_counter(snap: dict[str, Any]) -> int:
    """The newest video counter the peer decoded, on any track (-1 before any)."""
    return max((c[-1] for c in snap["counters"].values() if c), default=-1)


def video_seconds_after(snap: dict[str, Any], seconds: float) -> Callable[[dict[str, Any]], bool]:
    """A check that the peer decoded video drawn ``seconds`` after what ``snap`` shows.

    Counted in media time (frames at FPS), not wall time: on a loaded machine the sender and
    the worker fall behind the clock and catch up later, and a wait on this still covers as
    much media as it says."""
    start = latest_counter(snap)
    return lambda now: latest_counter(now) >= start + seconds * FPS


def recorded_counters(path: str) -> list[int]:
    """The counters of the video frames in a recording file, decoded in order."""
    import av

    with av.open(path) as container:
        return [read_counter(frame) for frame in container.decode(video=0)]


def holds_the_video_shown_while_on(counters: list[int], before: dict[str, Any],
                                   seconds: float) -> bool:
    """The recorded frames came after what ``before`` shows, in order, about ``seconds`` of
    them (a frame or two may be lost on loopback UDP)."""
    return (bool(counters) and counters[0] > latest_counter(before)
            and counters == sorted(set(counters)) and len(counters) >= (seconds - 1) * FPS)


@pytest.fixture
def aio() -> Iterator[AsyncioThread]:
    thread = AsyncioThread()
    yield thread
    thread.stop([])


@pytest.fixture
def media_config() -> p.WorkerConfig:
    """The worker's settings; a test module overrides this fixture to change them."""
    return p.WorkerConfig(host_addresses=("127.0.0.1",), stats_seconds=1.0,
                          negotiation_seconds=10.0)


@pytest.fixture
async def media(aio: AsyncioThread, media_config: p.WorkerConfig) -> AsyncIterator[Harness]:
    client = MediaClient(media_config)
    harness = Harness(client, aio)
    async with trio.open_nursery() as nursery:
        with trio.fail_after(DEADLINE):
            await nursery.start(client.run)
        nursery.start_soon(harness.pump)
        try:
            yield harness
        finally:
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(_close_peers, aio, list(harness.peers.values()))
            nursery.cancel_scope.cancel()


def _close_peers(aio: AsyncioThread, peers: list[Peer]) -> None:
    import asyncio

    async def close_all() -> None:
        for peer in peers:
            await peer.close()

    asyncio.run_coroutine_threadsafe(close_all(), aio.loop).result(timeout=10)


__all__ = ["DEADLINE", "Harness", "WorkerRestarted", "increasing_video"]

# Fixtures of the tests that negotiate through a real node's /ws (tests/media/wspeer.py).
from tests.media.wspeer import call, node_settings  # noqa: E402, F401
