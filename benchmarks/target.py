"""The two servers under test, behind one interface: add publishers, add subscribers, a pid.

Owned by :mod:`benchmarks.media_forward`. :class:`VclinicTarget` drives a real media worker
through :class:`vclinic.media.client.MediaClient` (the worker is the SFU being measured; the
``/ws`` gateway is not involved) and answers the worker's ``server_offer``s for the load
generators. :class:`JanusTarget` drives Janus's VideoRoom through
:class:`benchmarks.janus.JanusApi`.
Publishers only publish and subscribers only subscribe, on both servers.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from typing import Protocol

import trio

from benchmarks.fleet import Fleet
from benchmarks.janus import JanusApi, start_janus
from vclinic.media import protocol as p
from vclinic.media.client import MediaClient

ROOM = "bench"
PUBLISHER = p.Permissions(subscribe=False)
SUBSCRIBER = p.Permissions(audio=False, video=False, screen=False)


class Target(Protocol):
    """A server the benchmark loads."""

    name: str
    pid: int

    async def add_publisher(self, fleet: Fleet, name: str, index: int) -> None: ...

    async def add_subscriber(self, fleet: Fleet, name: str, role: str) -> None: ...


def pin(pid: int, core: int | None, priority: int = 0) -> None:
    """Move every thread of ``pid`` to ``core`` and set its nice value to ``priority``.

    Threads made later inherit both from the thread that makes them.
    """
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if core is not None:
                os.sched_setaffinity(int(tid), {core})
            if priority:
                os.setpriority(os.PRIO_PROCESS, int(tid), priority)


class VclinicTarget:
    """One vclinic media worker process with one room."""

    name = "vclinic"

    def __init__(self, client: MediaClient) -> None:
        self.client = client
        self.pid = client.pid or 0
        self.fleet: Fleet | None = None
        self._locks: dict[str, trio.Lock] = {}

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, core: int | None, priority: int) -> AsyncIterator[VclinicTarget]:
        client = MediaClient(p.WorkerConfig(host_addresses=("127.0.0.1",)))
        async with trio.open_nursery() as nursery:
            with trio.fail_after(30):
                await nursery.start(client.run)
            assert client.pid is not None
            pin(client.pid, core, priority)
            target = cls(client)
            await client.create_room(ROOM)
            nursery.start_soon(target._pump)
            try:
                yield target
            finally:
                with trio.CancelScope(shield=True), trio.move_on_after(10):
                    await client.shutdown()
                nursery.cancel_scope.cancel()

    async def _pump(self) -> None:
        """Relay the worker's offers to the load generators, as the /ws gateway does."""
        async with trio.open_nursery() as nursery:
            async for event in self.client.events:
                if isinstance(event, p.ServerOffer):
                    nursery.start_soon(self._answer, event)

    async def _answer(self, offer: p.ServerOffer) -> None:
        assert self.fleet is not None
        async with self._locks.setdefault(offer.handle, trio.Lock()):
            process = self.fleet.owner[offer.handle]
            reply = await process.call("answer", name=offer.handle, sdp=offer.sdp)
            await self.client.answer(offer.handle, reply["sdp"])

    async def add_publisher(self, fleet: Fleet, name: str, index: int) -> None:
        self.fleet = fleet
        process = await fleet.process_for(name, "publish")
        await self.client.join(ROOM, name, PUBLISHER)
        offer = await process.call("publish", name=name, index=index)
        answer = await self.client.offer(name, offer["sdp"])
        await process.call("accept", name=name, sdp=answer)

    async def add_subscriber(self, fleet: Fleet, name: str, role: str) -> None:
        self.fleet = fleet
        process = await fleet.process_for(name, role)
        await self.client.join(ROOM, name, SUBSCRIBER)
        async with self._locks.setdefault(name, trio.Lock()):
            offer = await process.call("offer_receive", name=name)
            answer = await self.client.offer(name, offer["sdp"])
            await process.call("accept", name=name, sdp=answer)


class JanusTarget:
    """Janus 1.1.2 with one VideoRoom room."""

    name = "janus"
    ROOM_ID = 4242

    def __init__(self, api: JanusApi, pid: int, publishers: int) -> None:
        self.api = api
        self.pid = pid
        self.publishers = publishers
        self.feeds: list[int] = []
        self._admin: int | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls, core: int | None, priority: int, publishers: int,
    ) -> AsyncIterator[JanusTarget]:
        with tempfile.TemporaryDirectory(prefix="bench-janus-") as directory:
            async with (
                start_janus(directory, core, priority) as (pid, url),
                JanusApi.connect(url) as api,
            ):
                target = cls(api, pid, publishers)
                target._admin = await api.attach()
                await api.create_room(target._admin, cls.ROOM_ID, publishers)
                yield target

    async def add_publisher(self, fleet: Fleet, name: str, index: int) -> None:
        process = await fleet.process_for(name, "publish")
        handle = await self.api.attach()
        offer = await process.call("publish", name=name, index=index)
        feed, answer = await self.api.publish(handle, self.ROOM_ID, name, offer["sdp"])
        await process.call("accept", name=name, sdp=answer)
        self.feeds.append(feed)

    async def add_subscriber(self, fleet: Fleet, name: str, role: str) -> None:
        process = await fleet.process_for(name, role)
        handle = await self.api.attach()
        offer = await self.api.subscribe(handle, self.ROOM_ID, self.feeds)
        answer = await process.call("answer", name=name, sdp=offer)
        await self.api.start(handle, self.ROOM_ID, answer["sdp"])
