"""``media.stats`` on real ``/ws`` connections: one event per participant per interval."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
import trio
import trio.testing

from tests.fakes import Client, WsClient
from tests.sessions.conftest import join_as_guest, provider, start_session
from vclinic.config import load_settings
from vclinic.media import protocol as p
from vclinic.media.access import MediaGrant
from vclinic.media.client import MediaPool
from vclinic.media.service import MediaService
from vclinic.server.run import Running


class FakeWorker:
    """Stands in for a MediaClient: rooms and joins succeed; the test pushes its events."""

    def __init__(self) -> None:
        self.push, self.events = trio.open_memory_channel[Any](64)
        self.load = 0

    async def create_room(self, room: str) -> None:
        pass

    async def join(self, room: str, handle: str, permissions: p.Permissions,
                   consent: bool) -> None:
        pass


class Sink:
    def emit(self, kind: str, data: dict[str, Any]) -> None:
        pass


async def _stats_seen(ws: WsClient) -> list[dict[str, Any]]:
    """The ``media.stats`` events a tab received before the marker track event."""
    await ws.next_event("media.track")
    return [e for e in ws.events if e["type"] == "media.stats"]


@pytest.mark.parametrize("size", [2, 5])
async def test_each_participant_receives_one_stats_event_per_interval_whatever_the_room_size(
    node: Running, clients: Callable[[], Client], nursery: trio.Nursery, size: int,
) -> None:
    media = MediaService(load_settings(env={}, media_workers=1), node.context.runtime.bus)
    worker = FakeWorker()
    media.pool = MediaPool([worker])  # type: ignore[list-item]
    nursery.start_soon(media._relay, worker)
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    tabs: list[Client] = [chair]
    for n in range(size - 1):
        guest, _ = await join_as_guest(clients, created["links"]["guest"]["path"], f"G{n}")
        tabs.append(guest)
    async with AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(tab.ws()) for tab in tabs]
        pids = []
        for ws in sockets:
            entered = await ws.request("session.enter", {"session_id": sid})
            assert entered["type"] == "reply", entered
            pids.append(entered["data"]["you"]["id"])
        # Every participant has media and its worker reports its stats for one interval.
        for pid in pids:
            await media.enter(sid, MediaGrant(pid, p.Permissions()), Sink())
        for pid in pids:
            await worker.push.send(p.Stats(room=sid, handle=pid, bitrate_in=8000,
                                           bitrate_out=16000, packets_lost=0, loss=0.0,
                                           rtt=0.05))
        await trio.testing.wait_all_tasks_blocked()
        assert media.publish_stats() == 1
        # A later session event marks the end of what that interval sent.
        await worker.push.send(p.TrackPublished(room=sid, handle=pids[0], source="audio"))
        seen = [await _stats_seen(ws) for ws in sockets]
    # size tabs, one stats message each: linear in the room, each listing everyone.
    assert [len(events) for events in seen] == [1] * size
    for [event] in seen:
        assert event["data"]["session_id"] == sid
        assert sorted(e["participant_id"] for e in event["data"]["participants"]) == sorted(pids)
