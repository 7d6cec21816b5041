"""The in-memory StateStore keeps snapshots as the real store would: JSON, copied, by address."""

from __future__ import annotations

import pytest

from vclinic.actors import Address, MemoryStateStore, StateStore


async def test_a_saved_snapshot_is_loaded_back_by_address() -> None:
    store: StateStore = MemoryStateStore()
    session = Address("session", "s1")
    assert await store.load(session) is None
    await store.save(session, {"participants": ["p1"], "admitted": 1})
    assert await store.load(session) == {"participants": ["p1"], "admitted": 1}
    assert await store.load(Address("session", "s2")) is None


async def test_changing_a_state_after_saving_it_does_not_change_the_snapshot() -> None:
    store = MemoryStateStore()
    state = {"participants": ["p1"]}
    await store.save(Address("session", "s1"), state)
    state["participants"].append("p2")
    loaded = await store.load(Address("session", "s1"))
    assert loaded == {"participants": ["p1"]}


async def test_a_state_the_real_store_could_not_hold_is_refused() -> None:
    store = MemoryStateStore()
    with pytest.raises(TypeError):
        await store.save(Address("session", "s1"), {"joined_at": object()})
    assert store.snapshot(Address("session", "s1")) is None
