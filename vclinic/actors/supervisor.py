"""Supervisors: trio tasks that run child tasks and restart them when they exit, as in OTP.

A Supervisor owns a nursery while ``run`` is running and one cancel scope per child. When a child
returns or raises, the supervisor decides (see vclinic.actors.policy) whether to restart it alone
(one_for_one) or with all its siblings (one_for_all). More than ``intensity`` restarts within
``period`` seconds (``trio.current_time()``) makes ``run`` raise SupervisorEscalation, which the
parent supervisor sees as a crash of this child. Cancellation is never caught: cancelling ``run``
cancels every child and propagates. Supervisors are the only place where child errors are caught.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import trio

from vclinic.actors.error import SupervisorEscalation, describe
from vclinic.actors.policy import Restart, RestartIntensity, Strategy, should_restart
from vclinic.errors import Conflict
from vclinic.log import get_logger

log = get_logger("actors.supervisor")


@dataclass(frozen=True)
class ChildSpec:
    """How to run one child: ``start_factory()`` runs it until it returns or raises.

    ``on_terminated(error)`` is called once when the supervisor drops the child for good (it is
    not restarted, it is TEMPORARY and was stopped by its supervisor, or it was stopped with
    :meth:`Supervisor.terminate_child`), with the exception it raised or None. The registry uses
    it to close an actor's mailbox. ``supervisor`` is set when the child is itself a supervisor
    (an actor kind's, the media plane's): ``Supervisor.tree_statistics()`` then walks into it.
    """

    id: str
    start_factory: Callable[[], Awaitable[object]]
    restart: Restart = Restart.PERMANENT
    on_terminated: Callable[[BaseException | None], None] | None = None
    supervisor: Supervisor | None = None


@dataclass(frozen=True)
class SupervisorStatistics:
    """A snapshot of one supervisor, as returned by ``Supervisor.statistics()``."""

    name: str
    strategy: Strategy
    running: bool
    children: int
    restarts: int
    escalations: int


@dataclass(frozen=True)
class _Exit:
    child_id: str
    generation: int
    error: Exception | None


class _Child:
    """The supervisor's record of a child; ``generation`` tells its incarnations apart."""

    def __init__(self, spec: ChildSpec) -> None:
        self.spec = spec
        self.generation = 0
        self.scope: trio.CancelScope | None = None
        self.done: trio.Event | None = None


class Supervisor:
    """Runs and restarts child tasks; itself a child of a parent supervisor or of the Runtime.

    ``run`` may be called again after it raised (the parent restarting it): every child still in
    the table starts afresh, with a fresh intensity window. Children may be added at any time with
    ``start_child``; added before ``run``, they start when it does.
    """

    def __init__(
        self,
        children: Iterable[ChildSpec] = (),
        *,
        strategy: Strategy = Strategy.ONE_FOR_ONE,
        intensity: int = 3,
        period: float = 5.0,
        name: str = "supervisor",
    ) -> None:
        RestartIntensity(intensity, period)  # validates the arguments early
        self.name = name
        self.strategy = strategy
        self.intensity = intensity
        self.period = period
        self._children: dict[str, _Child] = {}
        self._nursery: trio.Nursery | None = None
        # Each running child reports at most one exit per generation, so this channel never
        # holds more than one item per child; an unbounded buffer keeps reporting non-blocking.
        self._exit_send: trio.MemorySendChannel[_Exit] | None = None
        self._restarts = 0
        self._escalations = 0
        for spec in children:
            self.start_child(spec)

    def start_child(self, spec: ChildSpec) -> None:
        """Add a child; it starts now if the supervisor is running. Ids are unique."""
        if spec.id in self._children:
            raise Conflict("A child with this id is already supervised.", child=spec.id)
        child = _Child(spec)
        self._children[spec.id] = child
        if self._nursery is not None:
            self._launch(child)

    async def terminate_child(self, child_id: str) -> None:
        """Stop a child for good: cancel it, wait until it ended, drop it without a restart.

        Its ``on_terminated`` is called with None. An id that is not supervised (any more) is
        ignored, so an owner may stop a child that already exited or escalated.
        """
        child = self._children.pop(child_id, None)
        if child is None:
            return
        scope, done = child.scope, child.done
        child.scope = child.done = None
        if child.spec.on_terminated is not None:
            child.spec.on_terminated(None)
        if scope is not None and done is not None:
            scope.cancel()
            await done.wait()

    def statistics(self) -> SupervisorStatistics:
        """Children, restarts and escalations so far (restarts count across runs)."""
        return SupervisorStatistics(
            name=self.name, strategy=self.strategy, running=self._nursery is not None,
            children=len(self._children), restarts=self._restarts,
            escalations=self._escalations,
        )

    def tree_statistics(self) -> tuple[SupervisorStatistics, ...]:
        """This supervisor's statistics, then those of every supervisor below it (depth first,
        in start order): the children whose spec names a ``supervisor``."""
        found = [self.statistics()]
        for child in self._children.values():
            if child.spec.supervisor is not None:
                found.extend(child.spec.supervisor.tree_statistics())
        return tuple(found)

    async def run(self, *, task_status: trio.TaskStatus[Supervisor] = trio.TASK_STATUS_IGNORED,
                  ) -> None:
        """Start every child, then supervise until cancelled or escalating.

        Hands itself back through ``task_status.started`` once the children are launched.
        """
        if self._nursery is not None:
            raise RuntimeError(f"supervisor {self.name!r} is already running")
        intensity = RestartIntensity(self.intensity, self.period)
        exit_send, exit_receive = trio.open_memory_channel[_Exit](math.inf)
        escalation: SupervisorEscalation | None = None
        try:
            with exit_send, exit_receive:
                async with trio.open_nursery() as nursery:
                    self._nursery = nursery
                    self._exit_send = exit_send
                    for child in list(self._children.values()):
                        self._launch(child)
                    task_status.started(self)
                    escalation = await self._supervise(exit_receive, intensity)
                    nursery.cancel_scope.cancel()
        finally:
            self._nursery = None
            self._exit_send = None
            self._drop_temporary_children()
        if escalation is not None:
            raise escalation

    async def _supervise(self, exits: trio.MemoryReceiveChannel[_Exit],
                         intensity: RestartIntensity) -> SupervisorEscalation | None:
        async for event in exits:
            child = self._children.get(event.child_id)
            if child is None or child.generation != event.generation:
                continue  # a report from an incarnation that was already replaced
            if not should_restart(child.spec.restart, event.error):
                log.info("child exited", supervisor=self.name, child=child.spec.id,
                         error=describe(event.error))
                self._remove(child, event.error)
                continue
            if not intensity.allow(trio.current_time()):
                self._escalations += 1
                log.error("restart intensity exceeded; escalating", supervisor=self.name,
                          child=child.spec.id, error=describe(event.error))
                escalation = SupervisorEscalation(self.name, child.spec.id, self.intensity,
                                                  self.period)
                escalation.__cause__ = event.error
                return escalation
            self._restarts += 1
            log.warning("restarting child", supervisor=self.name, child=child.spec.id,
                        strategy=self.strategy.value, error=describe(event.error))
            if self.strategy is Strategy.ONE_FOR_ONE:
                self._launch(child)
            else:
                await self._restart_all()
        return None

    async def _restart_all(self) -> None:
        # Stop siblings in reverse start order (as OTP does), then start all in order again.
        children = list(self._children.values())
        for child in reversed(children):
            if child.scope is not None and child.done is not None:
                child.scope.cancel()
                await child.done.wait()
        for child in children:
            if self._children.get(child.spec.id) is not child:
                continue
            if child.spec.restart is Restart.TEMPORARY:
                self._remove(child, None)
            else:
                self._launch(child)

    def _launch(self, child: _Child) -> None:
        assert self._nursery is not None
        child.generation += 1
        child.scope = trio.CancelScope()
        child.done = trio.Event()
        self._nursery.start_soon(self._run_child, child, child.generation, child.scope,
                                 child.done, name=f"{self.name}/{child.spec.id}")

    async def _run_child(self, child: _Child, generation: int, scope: trio.CancelScope,
                         done: trio.Event) -> None:
        error: Exception | None = None
        try:
            with scope:
                await child.spec.start_factory()
        except Exception as exc:  # the one place child crashes are caught: to restart them
            error = exc
        finally:
            done.set()
        if scope.cancelled_caught:
            return  # stopped by this supervisor, which already decided what follows
        if self._exit_send is not None:
            self._exit_send.send_nowait(_Exit(child.spec.id, generation, error))

    def _remove(self, child: _Child, error: BaseException | None) -> None:
        del self._children[child.spec.id]
        child.scope = None
        child.done = None
        if child.spec.on_terminated is not None:
            child.spec.on_terminated(error)

    def _drop_temporary_children(self) -> None:
        for child in list(self._children.values()):
            child.scope = None
            child.done = None
            if child.spec.restart is Restart.TEMPORARY:
                self._remove(child, None)

