"""A crashed actor, and a whole restarted node, recover their state from the real store."""

from __future__ import annotations

from functools import partial

import pytest

from tests.actors.test_registry import Add, Explode, Probe, Total
from tests.actors.test_registry import Counter as CounterActor
from vclinic.actors import ActorCrashed, open_runtime
from vclinic.store import SnapshotStateStore, Store


async def test_crashed_actor_continues_from_its_snapshot(store: Store) -> None:
    probe = Probe()
    async with open_runtime(SnapshotStateStore(store)) as runtime:
        runtime.registry.register_kind("counter", partial(CounterActor, probe=probe))
        ref = runtime.registry.ref("counter:c1")
        assert await ref.call(Add(3)) == 3
        assert await ref.call(Add(4)) == 7
        with pytest.raises(ActorCrashed):
            await ref.call(Explode())
        assert await ref.call(Total()) == 7
    assert probe.starts["c1"] == 2


async def test_a_new_runtime_on_the_same_store_continues(store: Store) -> None:
    async with open_runtime(SnapshotStateStore(store)) as runtime:
        runtime.registry.register_kind("counter", partial(CounterActor, probe=Probe()))
        await runtime.registry.ref("counter:c2").call(Add(5))
    async with open_runtime(SnapshotStateStore(store)) as runtime:
        runtime.registry.register_kind("counter", partial(CounterActor, probe=Probe()))
        assert await runtime.registry.ref("counter:c2").call(Total()) == 5
