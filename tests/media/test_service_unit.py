"""MediaService bookkeeping against a fake worker client: held events, routing, grace period."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import trio
import trio.testing

from vclinic.actors import ChildSpec, Restart, Supervisor
from vclinic.config import load_settings
from vclinic.errors import Unavailable
from vclinic.media import protocol as p
from vclinic.media.access import MediaGrant
from vclinic.media.client import MediaPool, WorkerRestarted
from vclinic.media.relay import session_event, sink_event
from vclinic.media.service import RESTART_INTENSITY, MediaService


class FakeClient:
    """Stands in for a MediaClient: records calls, lets the test push worker events."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.push, self.events = trio.open_memory_channel[Any](16)
        self.load = 0
        self.dies = False
        self.incarnations = 0

    async def create_room(self, room: str) -> None:
        self.calls.append(("create_room", room))

    async def destroy_room(self, room: str) -> None:
        self.calls.append(("destroy_room", room))

    async def join(self, room: str, handle: str, permissions: p.Permissions,
                   consent: bool) -> None:
        self.calls.append(("join", handle))

    async def leave(self, handle: str) -> None:
        self.calls.append(("leave", handle))

    async def offer(self, handle: str, sdp: str, sources: dict[str, str]) -> str:
        return "answer"

    def child_spec(self, child_id: str) -> ChildSpec:
        return ChildSpec(child_id, self.serve, restart=Restart.TRANSIENT)

    async def serve(self) -> None:
        self.incarnations += 1
        if self.dies:
            raise Unavailable("media worker died", code="media_worker_died")
        await trio.sleep_forever()


class Sink:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))


class Bus:
    def __init__(self) -> None:
        self.published: list[tuple[str, Any]] = []

    def publish(self, topic: str, event: object) -> int:
        self.published.append((topic, event))
        return 1


def _service(grace: float = 30.0) -> tuple[MediaService, FakeClient, Bus]:
    settings = load_settings(env={}, media_workers=1, ws_grace_seconds=grace)
    bus = Bus()
    service = MediaService(settings, bus)
    fake = FakeClient()
    service.pool = MediaPool([fake])  # type: ignore[list-item]
    return service, fake, bus


def _offer_to(handle: str) -> p.ServerOffer:
    return p.ServerOffer(room="s1", handle=handle, sdp="v=0",
                         tracks={"1": {"handle": "alice", "source": "video"}})


async def test_server_offers_wait_until_the_answer_was_sent(nursery: trio.Nursery) -> None:
    service, fake, _ = _service()
    nursery.start_soon(service._relay, fake)
    sink = Sink()
    assert await service.enter("s1", MediaGrant("bob", p.Permissions()), sink)
    release = service.hold("bob")
    await fake.push.send(_offer_to("bob"))
    await trio.testing.wait_all_tasks_blocked()
    assert sink.events == []
    release()
    release()  # a second call changes nothing
    assert [kind for kind, _ in sink.events] == ["media.server_offer"]
    assert sink.events[0][1]["tracks"] == {"1": {"participant_id": "alice", "source": "video"}}
    await fake.push.send(_offer_to("bob"))
    await trio.testing.wait_all_tasks_blocked()
    assert len(sink.events) == 2


async def test_restart_asks_every_handle_to_renegotiate(nursery: trio.Nursery) -> None:
    service, fake, _ = _service()
    nursery.start_soon(service._relay, fake)
    sinks = {pid: Sink() for pid in ("alice", "bob")}
    for pid, sink in sinks.items():
        await service.enter("s1", MediaGrant(pid, p.Permissions()), sink)
    await fake.push.send(WorkerRestarted(pid=9, rooms=("s1",), handles=("alice", "bob")))
    await trio.testing.wait_all_tasks_blocked()
    for sink in sinks.values():
        assert sink.events == [("media.renegotiate",
                                {"session_id": "s1", "reason": "media_restarted"})]
    assert fake.calls.count(("create_room", "s1")) == 1


async def test_dropped_sink_leaves_after_the_grace_period(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock,
) -> None:
    service, fake, _ = _service(grace=30.0)
    await nursery.start(service.run)
    old, new = Sink(), Sink()
    await service.enter("s1", MediaGrant("bob", p.Permissions()), old)
    service.detach("bob", old)
    await trio.sleep(20)
    # Back within the grace period on a new connection: the handle is kept.
    assert await service.enter("s1", MediaGrant("bob", p.Permissions()), new)
    await trio.sleep(60)
    assert ("leave", "bob") not in fake.calls
    service.detach("bob", old)  # the old connection closing again is no news
    service.detach("bob", new)
    await trio.sleep(31)
    assert fake.calls[-2:] == [("leave", "bob"), ("destroy_room", "s1")]


def test_worker_events_map_to_protocol_events() -> None:
    revoked = p.TrackRevoked(room="s1", handle="alice", source="video")
    assert sink_event(revoked) == ("alice", "media.revoked",
                                   {"session_id": "s1", "source": "video"})
    failed = p.NegotiationFailed(room="s1", handle="bob", reason="answer_timeout")
    assert sink_event(failed) == ("bob", "media.renegotiate",
                                  {"session_id": "s1", "reason": "negotiation_failed"})
    switched = p.NegotiationFailed(room="s1", handle="bob", reason="codec_changed")
    assert sink_event(switched) == ("bob", "media.renegotiate",
                                    {"session_id": "s1", "reason": "codec_changed"})
    muted = p.ParticipantState(room="s1", handle="bob", audio_muted=True, video_muted=False)
    assert session_event(muted) == ("s1", "media.participant_state", {
        "session_id": "s1", "participant_id": "bob", "audio_muted": True,
        "video_muted": False})
    assert sink_event(muted) is None
    state = p.ConnectionState(room="s1", handle="bob", state="connected")
    assert sink_event(state) is not None and session_event(state) is not None


async def test_session_events_are_published_on_the_session_topic(
    nursery: trio.Nursery,
) -> None:
    service, fake, bus = _service()
    nursery.start_soon(service._relay, fake)
    await fake.push.send(p.TrackPublished(room="s1", handle="bob", source="audio"))
    await trio.testing.wait_all_tasks_blocked()
    [(topic, message)] = bus.published
    assert topic == "session:s1" and message["type"] == "media.track"
    assert message["data"]["participant_id"] == "bob"


def _stats(room: str, handle: str, bitrate_in: int) -> p.Stats:
    return p.Stats(room=room, handle=handle, bitrate_in=bitrate_in, bitrate_out=2,
                   packets_lost=0, loss=0.0, rtt=None)


async def test_stats_are_published_once_per_room_and_interval_with_every_participant(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock,
) -> None:
    service, fake, bus = _service()
    nursery.start_soon(service._relay, fake)
    nursery.start_soon(service._publish_stats_every_interval)
    for room, handle in (("s1", "ann"), ("s1", "bob"), ("s1", "cyd"), ("s2", "dan"),
                         ("s2", "eve")):
        await service.enter(room, MediaGrant(handle, p.Permissions()), Sink())
    await service.remove_participant("s2", "eve")
    for handle in ("ann", "bob", "cyd"):
        await fake.push.send(_stats("s1", handle, 1))
    await fake.push.send(_stats("s1", "bob", 5))  # a newer report replaces the older one
    await fake.push.send(_stats("s2", "dan", 7))
    await fake.push.send(_stats("s2", "eve", 9))  # she left: her late figures are dropped
    await fake.push.send(_stats("s1", "dan", 3))  # not in that room
    await trio.testing.wait_all_tasks_blocked()
    assert bus.published == []
    await trio.sleep(service.stats_seconds)
    await trio.testing.wait_all_tasks_blocked()
    published = dict(bus.published)
    assert sorted(published) == ["session:s1", "session:s2"]
    s1 = published["session:s1"]
    assert s1["type"] == "media.stats" and s1["data"]["session_id"] == "s1"
    assert {e["participant_id"]: e["bitrate_in"] for e in s1["data"]["participants"]} == {
        "ann": 1, "bob": 5, "cyd": 1}
    assert [e["participant_id"] for e in published["session:s2"]["data"]["participants"]] == [
        "dan"]
    # Nothing new was reported: the next interval publishes nothing.
    await trio.sleep(service.stats_seconds)
    await trio.testing.wait_all_tasks_blocked()
    assert len(bus.published) == 2


async def test_a_worker_that_keeps_dying_takes_media_down_not_the_node(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock,
) -> None:
    service, fake, _ = _service()
    fake.dies = True
    root = Supervisor(name="root")
    await nursery.start(root.run)
    await nursery.start(functools.partial(service.run, parent=root))
    await trio.testing.wait_all_tasks_blocked()
    # Restarted as often as the media supervisor allows, then dropped by the root.
    assert fake.incarnations == RESTART_INTENSITY + 1
    assert [s.name for s in root.tree_statistics()] == ["root"]
    assert root.statistics().running and root.statistics().escalations == 0
    with pytest.raises(Unavailable) as down:
        await service.enter("s1", MediaGrant("bob", p.Permissions()), Sink())
    assert down.value.code == "media_down"
