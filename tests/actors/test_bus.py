"""The event bus: topic fan-out that never blocks publishers and drops slow subscribers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import trio
import trio.testing

from vclinic.actors import EventBus, Published, SubscriptionLost


@dataclass(frozen=True)
class PatientWaiting:
    session_id: str


async def test_subscribers_receive_only_their_topic_in_order() -> None:
    bus = EventBus()
    async with bus.subscribe("user:1") as mine, bus.subscribe("user:2") as theirs:
        assert bus.publish("user:1", PatientWaiting("s1")) == 1
        assert bus.publish("user:1", PatientWaiting("s2")) == 1
        assert bus.publish("user:2", PatientWaiting("s3")) == 1
        assert [mine.receive_nowait(), mine.receive_nowait()] == [
            PatientWaiting("s1"), PatientWaiting("s2"),
        ]
        with pytest.raises(trio.WouldBlock):
            mine.receive_nowait()
        assert theirs.receive_nowait() == PatientWaiting("s3")


async def test_publishing_to_a_topic_nobody_follows_is_harmless() -> None:
    bus = EventBus()
    assert bus.publish("session:none", PatientWaiting("s1")) == 0
    assert bus.statistics().published == 1


async def test_a_slow_subscriber_is_dropped_with_a_marker_and_others_keep_receiving() -> None:
    bus = EventBus(buffer=2)
    async with bus.subscribe("session:1") as slow, \
            bus.subscribe("session:1", buffer=10) as fast:
        for n in range(4):
            bus.publish("session:1", PatientWaiting(f"s{n}"))
        received = [event async for event in slow]
        assert received == [PatientWaiting("s0"), PatientWaiting("s1"),
                            SubscriptionLost("session:1", "overflow")]
        assert [fast.receive_nowait() for _ in range(4)] == [
            PatientWaiting(f"s{n}") for n in range(4)
        ]
        stats = bus.statistics()
        assert (stats.subscribers, stats.dropped_subscribers) == (1, 1)


async def test_leaving_a_subscription_unsubscribes_and_closes_its_channel() -> None:
    bus = EventBus()
    async with bus.subscribe("user:1") as events:
        assert bus.statistics().subscribers == 1
    assert bus.statistics().subscribers == 0
    assert bus.statistics().topics == 0
    assert bus.publish("user:1", PatientWaiting("s1")) == 0
    with pytest.raises(trio.ClosedResourceError):
        events.receive_nowait()


async def test_a_subscriber_that_closed_its_channel_is_forgotten() -> None:
    bus = EventBus()
    async with bus.subscribe("user:1") as events:
        await events.aclose()
        assert bus.publish("user:1", PatientWaiting("s1")) == 0
        assert bus.statistics().subscribers == 0


async def test_closing_the_bus_ends_every_subscription() -> None:
    bus = EventBus()
    ended: list[str] = []

    async def follow(topic: str) -> None:
        async with bus.subscribe(topic) as events:
            async for _ in events:
                pass
        ended.append(topic)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(follow, "user:1")
        nursery.start_soon(follow, "session:1")
        await trio.testing.wait_all_tasks_blocked()
        bus.close()
    assert sorted(ended) == ["session:1", "user:1"]
    with pytest.raises(trio.ClosedResourceError):
        async with bus.subscribe("user:1"):
            pass


async def test_a_dict_event_reaches_every_subscriber_as_one_object_encoded_once() -> None:
    bus = EventBus()
    async with bus.subscribe("session:1") as a, bus.subscribe("session:1") as b:
        assert bus.publish("session:1", {"type": "media.track", "data": {"live": True}}) == 2
        first, second = a.receive_nowait(), b.receive_nowait()
    assert first is second and isinstance(first, Published)
    assert first == {"type": "media.track", "data": {"live": True}}
    assert first.wire_data() == '{"live": true}'
    assert first.wire_data() is second.wire_data()
