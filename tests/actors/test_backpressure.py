"""Bounded mailboxes push back on senders; calls given up leave nothing behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import trio
import trio.testing

from vclinic.actors import (
    Actor,
    ActorContext,
    Address,
    Envelope,
    Mailbox,
    MailboxFull,
    MemoryStateStore,
    Runtime,
    open_runtime,
)


@dataclass(frozen=True)
class Note:
    text_id: str


@dataclass(frozen=True)
class Hold:
    pass


class Slow(Actor):
    """Records notes; ``Hold`` blocks it until the test opens the gate."""

    gate: trio.Event
    seen: list[str]

    def __init__(self, address: Address, context: ActorContext) -> None:
        super().__init__(address, context)

    async def handle(self, message: Any) -> Any:
        match message:
            case Hold():
                await Slow.gate.wait()
                return "released"
            case Note(text_id):
                Slow.seen.append(text_id)
                return len(Slow.seen)


@pytest.fixture
async def runtime() -> Any:
    Slow.gate, Slow.seen = trio.Event(), []
    async with open_runtime(MemoryStateStore()) as runtime:
        runtime.registry.register_kind("slow", Slow, mailbox_size=2)
        yield runtime


async def hold(runtime: Runtime, nursery: trio.Nursery) -> None:
    """Make the actor busy with a message that does not finish until the gate opens."""
    nursery.start_soon(runtime.registry.ref("slow:1").call, Hold())
    await trio.testing.wait_all_tasks_blocked()


async def test_send_nowait_raises_mailbox_full_once_the_mailbox_is_full(
    runtime: Runtime,
) -> None:
    ref = runtime.registry.ref("slow:1")
    async with trio.open_nursery() as nursery:
        await hold(runtime, nursery)
        ref.send_nowait(Note("a"))
        ref.send_nowait(Note("b"))
        with pytest.raises(MailboxFull) as info:
            ref.send_nowait(Note("c"))
        assert info.value.status == 503
        assert info.value.to_dict()["code"] == "mailbox_full"
        actor = runtime.registry.actor_statistics("slow:1")
        assert actor is not None
        assert (actor.mailbox_depth, actor.mailbox_size) == (2, 2)
        Slow.gate.set()
    await trio.testing.wait_all_tasks_blocked()
    assert Slow.seen == ["a", "b"]


async def test_send_waits_for_room_and_completes_once_the_actor_catches_up(
    runtime: Runtime,
) -> None:
    ref = runtime.registry.ref("slow:1")
    delivered: list[str] = []

    async def send(text_id: str) -> None:
        await ref.send(Note(text_id))
        delivered.append(text_id)

    async with trio.open_nursery() as nursery:
        await hold(runtime, nursery)
        for text_id in ("a", "b", "c", "d"):
            nursery.start_soon(send, text_id)
            await trio.testing.wait_all_tasks_blocked()
        assert delivered == ["a", "b"]
        actor = runtime.registry.actor_statistics("slow:1")
        assert actor is not None
        assert actor.senders_waiting == 2
        assert runtime.statistics().max_mailbox_depth == 2
        Slow.gate.set()
    assert delivered == ["a", "b", "c", "d"]
    await trio.testing.wait_all_tasks_blocked()
    assert Slow.seen == ["a", "b", "c", "d"]


async def test_a_sender_that_gives_up_waiting_for_room_queues_nothing(
    autojump_clock: trio.testing.MockClock, runtime: Runtime,
) -> None:
    ref = runtime.registry.ref("slow:1")
    async with trio.open_nursery() as nursery:
        await hold(runtime, nursery)
        ref.send_nowait(Note("a"))
        ref.send_nowait(Note("b"))
        with pytest.raises(trio.TooSlowError), trio.fail_after(1):
            await ref.send(Note("late"))
        actor = runtime.registry.actor_statistics("slow:1")
        assert actor is not None
        assert (actor.mailbox_depth, actor.senders_waiting) == (2, 0)
        Slow.gate.set()
    await trio.testing.wait_all_tasks_blocked()
    assert Slow.seen == ["a", "b"]


async def test_a_call_given_up_by_its_caller_leaves_no_pending_reply(
    autojump_clock: trio.testing.MockClock, runtime: Runtime,
) -> None:
    ref = runtime.registry.ref("slow:1")
    with pytest.raises(trio.TooSlowError), trio.fail_after(5):
        await ref.call(Hold())
    actor = runtime.registry.actor_statistics("slow:1")
    assert actor is not None
    assert actor.pending_calls == 0
    Slow.gate.set()
    assert await ref.call(Note("after")) == 1


async def test_a_mailbox_on_its_own_is_bounded_and_first_in_first_out() -> None:
    mailbox = Mailbox(Address("slow", "1"), size=2)
    mailbox.put_nowait(Envelope("t1", Note("a")))
    await mailbox.put(Envelope("t2", Note("b")))
    with pytest.raises(MailboxFull):
        mailbox.put_nowait(Envelope("t3", Note("c")))
    assert [(await mailbox.get()).txn_id for _ in range(2)] == ["t1", "t2"]
    mailbox.put_nowait(Envelope("t4", Note("d")))
    assert [e.txn_id for e in mailbox.close()] == ["t4"]
    with pytest.raises(trio.ClosedResourceError):
        mailbox.put_nowait(Envelope("t5", Note("e")))
    with pytest.raises(trio.EndOfChannel):
        await mailbox.get()
    assert mailbox.statistics().closed

