"""The runtime's lifetime: graceful stop with on_stop, nothing left behind, no caller hanging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import trio
import trio.testing

from vclinic.actors import (
    Actor,
    ActorContext,
    ActorStopped,
    Address,
    ChildSpec,
    MemoryStateStore,
    open_runtime,
)


@dataclass(frozen=True)
class Record:
    visit_id: str


@dataclass(frozen=True)
class Hold:
    pass


class Buffered(Actor):
    """Keeps records in memory and writes them to the store only when stopped (a flush)."""

    def __init__(self, address: Address, context: ActorContext, gate: trio.Event,
                 stop_forever: bool = False) -> None:
        super().__init__(address, context)
        self.gate = gate
        self.stop_forever = stop_forever
        self.records: list[str] = []

    async def on_start(self) -> None:
        state = await self.context.load_state()
        self.records = state["records"] if state else []

    async def handle(self, message: Any) -> Any:
        match message:
            case Record(visit_id):
                self.records.append(visit_id)
                return len(self.records)
            case Hold():
                await self.gate.wait()
                return "released"

    async def on_stop(self) -> None:
        if self.stop_forever:
            await trio.sleep_forever()
        await self.context.save_state({"records": self.records})


def buffered(gate: trio.Event, stop_forever: bool = False,
             ) -> Callable[[Address, ActorContext], Actor]:
    return lambda address, context: Buffered(address, context, gate, stop_forever)


async def test_leaving_the_runtime_lets_actors_flush_in_on_stop() -> None:
    store = MemoryStateStore()
    async with open_runtime(store) as runtime:
        runtime.registry.register_kind("buffer", buffered(trio.Event()))
        ref = runtime.registry.ref("buffer:1")
        await ref.call(Record("v1"))
        await ref.call(Record("v2"))
        assert store.snapshot(Address("buffer", "1")) is None
    assert store.snapshot(Address("buffer", "1")) == {"records": ["v1", "v2"]}


async def test_a_stuck_on_stop_cannot_hold_shutdown_past_the_grace_period(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with open_runtime(MemoryStateStore(), stop_grace=2.0) as runtime:
        runtime.registry.register_kind("buffer", buffered(trio.Event(), stop_forever=True))
        await runtime.registry.ref("buffer:1").call(Record("v1"))
    assert runtime.statistics().actors_alive == 0


async def test_stopping_the_runtime_leaves_no_task_and_no_open_channel(
    live_tasks: Callable[[], int],
) -> None:
    before = live_tasks()
    async with open_runtime(MemoryStateStore()) as runtime:
        runtime.registry.register_kind("buffer", buffered(trio.Event()))
        for n in range(5):
            await runtime.registry.ref(f"buffer:{n}").send(Record("v"))
        async with runtime.bus.subscribe("user:1") as events:
            await trio.testing.wait_all_tasks_blocked()
            assert live_tasks() > before + 5
    assert live_tasks() == before
    stats = runtime.statistics()
    assert (stats.actors_alive, stats.pending_calls, stats.mailbox_depth) == (0, 0, 0)
    assert stats.bus.subscribers == 0
    with pytest.raises(trio.ClosedResourceError):
        events.receive_nowait()
    with pytest.raises(ActorStopped):
        await runtime.registry.ref("buffer:1").send(Record("late"))


async def test_callers_outside_the_runtime_get_actor_stopped_when_it_stops() -> None:
    outcomes: dict[str, ActorStopped] = {}

    async def caller(ref: Any, name: str) -> None:
        try:
            await ref.call(Hold())
        except ActorStopped as exc:
            outcomes[name] = exc

    async with trio.open_nursery() as callers, open_runtime(MemoryStateStore()) as runtime:
        runtime.registry.register_kind("buffer", buffered(trio.Event()))
        ref = runtime.registry.ref("buffer:1")
        callers.start_soon(caller, ref, "in_progress")
        await trio.testing.wait_all_tasks_blocked()
        callers.start_soon(caller, ref, "queued")
        await trio.testing.wait_all_tasks_blocked()
        assert runtime.statistics().mailbox_depth == 1
    assert sorted(outcomes) == ["in_progress", "queued"]
    assert all(exc.to_dict()["code"] == "actor_stopped" for exc in outcomes.values())


async def test_other_long_lived_children_run_under_the_root_supervisor() -> None:
    ticks: list[int] = []

    async def scheduler() -> None:
        ticks.append(1)
        await trio.sleep_forever()

    async with open_runtime(MemoryStateStore()) as runtime:
        runtime.supervisor.start_child(ChildSpec("scheduler", scheduler))
        await trio.testing.wait_all_tasks_blocked()
        assert ticks == [1]
        assert runtime.supervisor.statistics().children == 1


async def test_an_error_raised_in_the_runtime_block_comes_out_as_itself() -> None:
    from vclinic.errors import NotFound

    with pytest.raises(NotFound):
        async with open_runtime(MemoryStateStore()) as runtime:
            runtime.registry.register_kind("buffer", buffered(trio.Event()))
            await runtime.registry.ref("buffer:1").call(Record("v1"))
            raise NotFound("No such visit.")
