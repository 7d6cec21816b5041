"""Actors activated by address: replies, domain errors, crashes and recovery from the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import structlog
import trio
import trio.testing

from vclinic.actors import (
    Actor,
    ActorContext,
    ActorCrashed,
    Address,
    MemoryStateStore,
    Restart,
    Runtime,
    SupervisorEscalation,
    UnknownActorKind,
    open_runtime,
)
from vclinic.errors import BadRequest, Conflict


@dataclass(frozen=True)
class Add:
    amount: int


@dataclass(frozen=True)
class Total:
    pass


@dataclass(frozen=True)
class Explode:
    pass


@dataclass(frozen=True)
class Refuse:
    pass


@dataclass(frozen=True)
class Hold:
    pass


@dataclass(frozen=True)
class CurrentTxn:
    pass


@dataclass(frozen=True)
class Deactivate:
    pass


@dataclass(frozen=True)
class LogContext:
    pass


@dataclass
class Probe:
    """What the test can see of the counters: starts, stops and a gate that holds them."""

    starts: dict[str, int] = field(default_factory=dict)
    stops: dict[str, int] = field(default_factory=dict)
    gate: trio.Event = field(default_factory=trio.Event)
    active: int = 0
    max_active: int = 0
    stop_gate: trio.Event | None = None


class Counter(Actor):
    """A test actor that keeps a running total and saves it after every change."""

    def __init__(self, address: Address, context: ActorContext, probe: Probe) -> None:
        super().__init__(address, context)
        self.probe = probe
        self.total = 0

    async def on_start(self) -> None:
        self.probe.starts[self.address.id] = self.probe.starts.get(self.address.id, 0) + 1
        state = await self.context.load_state()
        self.total = state["total"] if state else 0

    async def handle(self, message: Any) -> Any:
        self.probe.active += 1
        self.probe.max_active = max(self.probe.max_active, self.probe.active)
        try:
            match message:
                case Add(amount):
                    # Yield to other senders: they must still wait their turn.
                    await trio.lowlevel.checkpoint()
                    self.total += amount
                    await self.context.save_state({"total": self.total})
                    self.context.bus.publish(f"counter:{self.address.id}", self.total)
                    return self.total
                case Total():
                    return self.total
                case Explode():
                    raise RuntimeError("boom")
                case Refuse():
                    raise Conflict("Refused by the counter.")
                case Hold():
                    await self.probe.gate.wait()
                    return "released"
                case CurrentTxn():
                    return self.context.txn_id
                case LogContext():
                    return structlog.contextvars.get_contextvars()
                case Deactivate():
                    self.context.stop()
                    return None
            raise BadRequest("Unknown message.")
        finally:
            self.probe.active -= 1

    async def on_stop(self) -> None:
        if self.probe.stop_gate is not None:
            await self.probe.stop_gate.wait()
        self.probe.stops[self.address.id] = self.probe.stops.get(self.address.id, 0) + 1


def counter_factory(probe: Probe) -> Callable[[Address, ActorContext], Actor]:
    return lambda address, context: Counter(address, context, probe)


@pytest.fixture
def probe() -> Probe:
    return Probe()


@pytest.fixture
def store() -> MemoryStateStore:
    return MemoryStateStore()


@pytest.fixture
async def runtime(store: MemoryStateStore, probe: Probe) -> Any:
    async with open_runtime(store) as runtime:
        runtime.registry.register_kind("counter", counter_factory(probe), mailbox_size=8)
        yield runtime


async def test_first_message_activates_the_actor_and_later_ones_reach_the_same_one(
    runtime: Runtime, probe: Probe,
) -> None:
    one = runtime.registry.ref("counter:one")
    assert await one.call(Add(2)) == 2
    assert await runtime.registry.ref(Address("counter", "one")).call(Add(3)) == 5
    assert await runtime.registry.ref("counter:two").call(Total()) == 0
    assert probe.starts == {"one": 1, "two": 1}
    stats = runtime.statistics()
    assert (stats.actors_alive, stats.activations, stats.restarts) == (2, 2, 0)


async def test_call_carries_the_given_transaction_id_or_a_fresh_one(runtime: Runtime) -> None:
    ref = runtime.registry.ref("counter:one")
    assert await ref.call(CurrentTxn(), txn_id="txn-42") == "txn-42"
    first, second = await ref.call(CurrentTxn()), await ref.call(CurrentTxn())
    assert first and second and first != second


async def test_actor_logs_carry_its_own_ids_and_not_those_of_its_first_caller(
    runtime: Runtime,
) -> None:
    with structlog.contextvars.bound_contextvars(user_id="u1", request_id="r1"):
        bound = await runtime.registry.ref("counter:one").call(LogContext(), txn_id="t1")
    assert bound == {"actor": "counter", "actor_id": "one", "txn_id": "t1"}


async def test_domain_error_reaches_the_caller_and_the_actor_carries_on(
    runtime: Runtime, probe: Probe,
) -> None:
    ref = runtime.registry.ref("counter:one")
    await ref.call(Add(4))
    with pytest.raises(Conflict) as info:
        await ref.call(Refuse())
    assert info.value.to_dict()["code"] == "conflict"
    assert await ref.call(Total()) == 4
    assert probe.starts == {"one": 1}
    assert runtime.statistics().restarts == 0


async def test_crash_fails_the_call_restarts_the_actor_and_recovers_its_state(
    runtime: Runtime, probe: Probe, store: MemoryStateStore,
) -> None:
    ref = runtime.registry.ref("counter:one")
    await ref.call(Add(7))
    with pytest.raises(ActorCrashed) as info:
        await ref.call(Explode(), txn_id="txn-crash")
    assert info.value.details == {"actor": "counter:one", "txn_id": "txn-crash"}
    assert await ref.call(Add(1)) == 8
    assert probe.starts == {"one": 2}
    assert store.snapshot(Address("counter", "one")) == {"total": 8}
    assert runtime.statistics().restarts == 1


async def test_messages_queued_behind_a_crash_reach_the_restarted_actor(
    runtime: Runtime, probe: Probe,
) -> None:
    ref = runtime.registry.ref("counter:one")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(ref.call, Hold())
        await trio.testing.wait_all_tasks_blocked()
        await ref.send(Add(1))
        await ref.send(Explode())
        await ref.send(Add(2))
        assert runtime.statistics().mailbox_depth == 3
        probe.gate.set()
    assert await ref.call(Total()) == 3
    assert probe.starts == {"one": 2}


async def test_an_actor_handles_one_message_at_a_time(runtime: Runtime, probe: Probe) -> None:
    ref = runtime.registry.ref("counter:one")
    async with trio.open_nursery() as nursery:
        for _ in range(20):
            nursery.start_soon(ref.call, Add(1))
    assert await ref.call(Total()) == 20
    assert probe.max_active == 1


async def test_a_stopped_actor_is_dropped_and_reactivated_with_its_state_by_the_next_message(
    runtime: Runtime, probe: Probe,
) -> None:
    ref = runtime.registry.ref("counter:one")
    await ref.call(Add(5))
    await ref.call(Deactivate())
    await trio.testing.wait_all_tasks_blocked()
    assert probe.stops == {"one": 1}
    assert runtime.statistics().actors_alive == 0
    assert await ref.call(Total()) == 5
    assert probe.starts == {"one": 2}
    assert runtime.statistics().restarts == 0


async def test_messages_queued_before_a_stop_are_handled_before_the_actor_stops(
    runtime: Runtime, probe: Probe,
) -> None:
    ref = runtime.registry.ref("counter:one")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(ref.call, Hold())
        await trio.testing.wait_all_tasks_blocked()
        await ref.send(Deactivate())
        await ref.send(Add(1))
        await ref.send(Add(2))
        probe.gate.set()
    await trio.testing.wait_all_tasks_blocked()
    assert probe.stops == {"one": 1}
    assert probe.starts == {"one": 1}
    assert await ref.call(Total()) == 3


async def test_messages_sent_while_an_actor_stops_reach_its_next_activation(
    runtime: Runtime, probe: Probe,
) -> None:
    probe.stop_gate = trio.Event()
    ref = runtime.registry.ref("counter:one")
    replies: list[int] = []

    async def add(amount: int) -> None:
        replies.append(await ref.call(Add(amount)))

    await ref.call(Add(5))
    async with trio.open_nursery() as nursery:
        await ref.call(Deactivate())
        await trio.testing.wait_all_tasks_blocked()  # now inside on_stop
        nursery.start_soon(add, 1)
        await trio.testing.wait_all_tasks_blocked()
        await ref.send(Add(2))
        await trio.testing.wait_all_tasks_blocked()
        assert probe.starts == {"one": 1}
        probe.stop_gate.set()
    assert replies == [6]
    assert await ref.call(Total()) == 8
    assert probe.starts == {"one": 2}
    actor = runtime.registry.actor_statistics("counter:one")
    assert actor is not None
    assert actor.pending_calls == 0


async def test_actor_events_reach_bus_subscribers(runtime: Runtime) -> None:
    async with runtime.bus.subscribe("counter:one") as events:
        await runtime.registry.ref("counter:one").call(Add(3))
        assert events.receive_nowait() == 3


async def test_unknown_kinds_and_bad_addresses_are_refused_clearly(runtime: Runtime) -> None:
    with pytest.raises(UnknownActorKind) as info:
        runtime.registry.ref("nosuch:1")
    assert info.value.to_dict()["code"] == "unknown_actor_kind"
    with pytest.raises(BadRequest):
        runtime.registry.ref("counter")


async def test_a_kind_is_registered_once(runtime: Runtime, probe: Probe) -> None:
    with pytest.raises(Conflict):
        runtime.registry.register_kind("counter", counter_factory(probe))


async def test_mutable_messages_are_refused_before_they_reach_an_actor(
    runtime: Runtime,
) -> None:
    ref = runtime.registry.ref("counter:one")
    with pytest.raises(TypeError):
        await ref.send({"amount": 1})
    assert runtime.statistics().actors_alive == 0


async def test_a_crash_looping_kind_is_restarted_whole_and_every_actor_recovers(
    autojump_clock: trio.testing.MockClock, store: MemoryStateStore, probe: Probe,
) -> None:
    async with open_runtime(store) as runtime:
        runtime.registry.register_kind("counter", counter_factory(probe), intensity=1,
                                       period=10.0)
        calm, wild = runtime.registry.ref("counter:calm"), runtime.registry.ref("counter:wild")
        await calm.call(Add(10))
        for _ in range(2):
            with pytest.raises(ActorCrashed):
                await wild.call(Explode())
        await trio.testing.wait_all_tasks_blocked()
        stats = runtime.statistics()
        assert stats.supervisor_restarts == 1
        assert stats.kinds[0].escalations == 1
        assert probe.starts["calm"] == 2
        assert await calm.call(Total()) == 10


async def test_when_the_root_gives_up_the_escalation_leaves_the_runtime(
    autojump_clock: trio.testing.MockClock, store: MemoryStateStore, probe: Probe,
) -> None:
    with pytest.raises(ExceptionGroup) as info, trio.fail_after(1000):
        async with open_runtime(store, intensity=0) as runtime:
            runtime.registry.register_kind("counter", counter_factory(probe), intensity=0,
                                           restart=Restart.PERMANENT)
            await runtime.registry.ref("counter:wild").send(Explode())
            await trio.sleep_forever()
    assert info.group_contains(SupervisorEscalation, match="root")
