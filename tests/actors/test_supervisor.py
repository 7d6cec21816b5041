"""Supervisors restart children as OTP does, escalate past their intensity, and leak nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import trio
import trio.testing

from vclinic.actors import ChildSpec, Restart, Strategy, Supervisor, SupervisorEscalation


class Child:
    """A child task the test drives: it runs until told to crash or to return."""

    def __init__(self, name: str, log: list[str] | None = None) -> None:
        self.name = name
        self.starts = 0
        self.cancelled = 0
        self.log = log if log is not None else []
        self._wake = trio.Event()
        self._error: Exception | None = None

    async def run(self) -> None:
        self.starts += 1
        self._wake = trio.Event()
        self._error = None
        try:
            await self._wake.wait()
        except trio.Cancelled:
            self.cancelled += 1
            self.log.append(f"stop {self.name}")
            raise
        if self._error is not None:
            raise self._error

    def crash(self) -> None:
        self._error = RuntimeError("boom")
        self._wake.set()

    def finish(self) -> None:
        self._wake.set()

    def spec(self, restart: Restart = Restart.PERMANENT, terminated: list[object] | None = None,
             ) -> ChildSpec:
        on_terminated = None if terminated is None else terminated.append
        return ChildSpec(self.name, self.run, restart=restart, on_terminated=on_terminated)


async def test_one_for_one_restarts_only_the_child_that_crashed() -> None:
    a, b = Child("a"), Child("b")
    supervisor = Supervisor([a.spec(), b.spec()], strategy=Strategy.ONE_FOR_ONE)
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        await trio.testing.wait_all_tasks_blocked()
        a.crash()
        await trio.testing.wait_all_tasks_blocked()
        assert (a.starts, b.starts, b.cancelled) == (2, 1, 0)
        assert supervisor.statistics().restarts == 1
        nursery.cancel_scope.cancel()


async def test_one_for_all_restarts_every_child_stopping_siblings_in_reverse_order() -> None:
    order: list[str] = []
    a, b, c = Child("a", order), Child("b", order), Child("c", order)
    supervisor = Supervisor([a.spec(), b.spec(), c.spec()], strategy=Strategy.ONE_FOR_ALL)
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        await trio.testing.wait_all_tasks_blocked()
        a.crash()
        await trio.testing.wait_all_tasks_blocked()
        assert (a.starts, b.starts, c.starts) == (2, 2, 2)
        assert order == ["stop c", "stop b"]
        assert supervisor.statistics().restarts == 1
        nursery.cancel_scope.cancel()


async def test_permanent_child_is_restarted_even_after_returning_normally() -> None:
    a = Child("a")
    supervisor = Supervisor([a.spec(Restart.PERMANENT)])
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        await trio.testing.wait_all_tasks_blocked()
        a.finish()
        await trio.testing.wait_all_tasks_blocked()
        assert a.starts == 2
        nursery.cancel_scope.cancel()


async def test_transient_child_is_restarted_after_a_crash_but_not_after_returning() -> None:
    a = Child("a")
    terminated: list[object] = []
    supervisor = Supervisor([a.spec(Restart.TRANSIENT, terminated)])
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        await trio.testing.wait_all_tasks_blocked()
        a.crash()
        await trio.testing.wait_all_tasks_blocked()
        assert a.starts == 2
        a.finish()
        await trio.testing.wait_all_tasks_blocked()
        assert a.starts == 2
        assert terminated == [None]
        assert supervisor.statistics().children == 0
        nursery.cancel_scope.cancel()


async def test_temporary_child_is_never_restarted_and_its_error_is_reported() -> None:
    a, b = Child("a"), Child("b")
    terminated: list[object] = []
    supervisor = Supervisor([a.spec(Restart.TEMPORARY, terminated), b.spec()])
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        await trio.testing.wait_all_tasks_blocked()
        a.crash()
        await trio.testing.wait_all_tasks_blocked()
        assert a.starts == 1
        assert [type(e) for e in terminated] == [RuntimeError]
        assert supervisor.statistics().children == 1
        assert supervisor.statistics().restarts == 0
        nursery.cancel_scope.cancel()


async def test_temporary_sibling_is_dropped_rather_than_restarted_by_one_for_all() -> None:
    a, temp = Child("a"), Child("temp")
    terminated: list[object] = []
    supervisor = Supervisor([a.spec(), temp.spec(Restart.TEMPORARY, terminated)],
                            strategy=Strategy.ONE_FOR_ALL)
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        await trio.testing.wait_all_tasks_blocked()
        a.crash()
        await trio.testing.wait_all_tasks_blocked()
        assert (a.starts, temp.starts, temp.cancelled) == (2, 1, 1)
        assert terminated == [None]
        nursery.cancel_scope.cancel()


async def crash_every(seconds: float) -> None:
    await trio.sleep(seconds)
    raise RuntimeError("crash loop")


async def test_crash_loop_escalates_to_the_parent_once_intensity_is_exceeded(
    autojump_clock: trio.testing.MockClock,
) -> None:
    supervisor = Supervisor([ChildSpec("loop", lambda: crash_every(1.0))],
                            intensity=3, period=5.0, name="sessions")
    with pytest.raises(SupervisorEscalation) as info, trio.fail_after(1000):
        await supervisor.run()
    assert info.value.supervisor == "sessions"
    assert info.value.child == "loop"
    assert isinstance(info.value.__cause__, RuntimeError)
    stats = supervisor.statistics()
    assert (stats.restarts, stats.escalations, stats.running) == (3, 1, False)


async def test_crashes_spread_wider_than_the_period_never_escalate(
    autojump_clock: trio.testing.MockClock,
) -> None:
    supervisor = Supervisor([ChildSpec("slow", lambda: crash_every(2.0))],
                            intensity=3, period=5.0)
    with trio.move_on_after(100):
        await supervisor.run()
    stats = supervisor.statistics()
    assert stats.restarts > 3 * stats.children
    assert stats.escalations == 0


async def test_parent_restarts_an_escalating_child_supervisor_and_leaves_siblings_alone(
    autojump_clock: trio.testing.MockClock,
) -> None:
    crashes_left = 2

    async def flaky() -> None:
        nonlocal crashes_left
        if crashes_left:
            crashes_left -= 1
            raise RuntimeError("flaky")
        await trio.sleep_forever()

    child = Supervisor([ChildSpec("flaky", flaky)], intensity=1, period=5.0, name="child")
    sibling = Child("sibling")
    parent = Supervisor([ChildSpec("child", child.run), sibling.spec()], intensity=3,
                        period=5.0, name="parent")
    async with trio.open_nursery() as nursery:
        await nursery.start(parent.run)
        await trio.testing.wait_all_tasks_blocked()
        assert child.statistics().escalations == 1
        assert child.statistics().running is True  # restarted by the parent
        assert parent.statistics().restarts == 1
        assert sibling.starts == 1
        nursery.cancel_scope.cancel()


async def test_escalation_climbs_to_the_top_when_no_supervisor_can_absorb_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    child = Supervisor([ChildSpec("loop", lambda: crash_every(1.0))], intensity=0,
                       period=5.0, name="child")
    parent = Supervisor([ChildSpec("child", child.run)], intensity=2, period=60.0,
                        name="parent")
    with pytest.raises(SupervisorEscalation) as info, trio.fail_after(1000):
        await parent.run()
    assert info.value.supervisor == "parent"
    cause = info.value.__cause__
    assert isinstance(cause, SupervisorEscalation)
    assert cause.supervisor == "child"
    assert child.statistics().escalations == 3


async def test_children_added_at_runtime_are_started_and_supervised() -> None:
    a = Child("a")
    supervisor = Supervisor()
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        supervisor.start_child(a.spec())
        await trio.testing.wait_all_tasks_blocked()
        assert a.starts == 1
        a.crash()
        await trio.testing.wait_all_tasks_blocked()
        assert a.starts == 2
        nursery.cancel_scope.cancel()


async def test_a_child_id_can_only_be_supervised_once() -> None:
    from vclinic.errors import Conflict

    supervisor = Supervisor([Child("a").spec()])
    with pytest.raises(Conflict):
        supervisor.start_child(Child("a").spec())


async def test_cancelling_a_supervisor_cancels_every_child_and_leaves_no_task(
    live_tasks: Callable[[], int],
) -> None:
    before = live_tasks()
    a, b = Child("a"), Child("b")
    inner = Supervisor([b.spec()], name="inner")
    supervisor = Supervisor([a.spec(), ChildSpec("inner", inner.run)])
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            await nursery.start(supervisor.run)
            await trio.testing.wait_all_tasks_blocked()
            assert live_tasks() == before + 4  # supervisor, a, inner supervisor, b
            scope.cancel()
    assert (a.cancelled, b.cancelled) == (1, 1)
    assert live_tasks() == before
    assert supervisor.statistics().running is False
    assert inner.statistics().running is False


async def test_terminated_child_is_stopped_for_good_and_told() -> None:
    a, b = Child("a"), Child("b")
    terminated: list[object] = []
    supervisor = Supervisor([a.spec(terminated=terminated), b.spec()])
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        await trio.testing.wait_all_tasks_blocked()
        await supervisor.terminate_child("a")
        await supervisor.terminate_child("a")  # already gone: nothing happens
        await trio.testing.wait_all_tasks_blocked()
        assert (a.starts, a.cancelled, b.cancelled) == (1, 1, 0)
        assert terminated == [None]
        assert supervisor.statistics().children == 1
        assert supervisor.statistics().restarts == 0
        nursery.cancel_scope.cancel()


async def test_tree_statistics_walk_into_child_supervisors() -> None:
    worker = Child("worker:0")
    inner = Supervisor([worker.spec(Restart.TRANSIENT)], name="media")
    root = Supervisor([ChildSpec("media", inner.run, supervisor=inner)], name="root")
    async with trio.open_nursery() as nursery:
        await nursery.start(root.run)
        await trio.testing.wait_all_tasks_blocked()
        worker.crash()
        await trio.testing.wait_all_tasks_blocked()
        tree = {s.name: (s.children, s.restarts) for s in root.tree_statistics()}
        assert tree == {"root": (1, 0), "media": (1, 1)}
        nursery.cancel_scope.cancel()
