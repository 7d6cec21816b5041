"""The actor runtime: root supervisor, registry and event bus of one node.

Built by the composition root with ``async with open_runtime(store) as runtime:``; the context
owns the nursery in which every actor runs. Leaving it stops the actors (each gets ``on_stop``,
shielded, within ``stop_grace`` seconds), then fails any call still waiting with ActorStopped and
ends every bus subscription. If the root supervisor escalates, the error leaves the context.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import trio

from vclinic.actors.bus import DEFAULT_BUFFER, BusStatistics, EventBus
from vclinic.actors.registry import KindStatistics, Registry
from vclinic.actors.store import StateStore
from vclinic.actors.supervisor import Supervisor, SupervisorStatistics
from vclinic.log import get_logger

log = get_logger("actors.runtime")


@dataclass(frozen=True)
class RuntimeStatistics:
    """A snapshot of the runtime, as returned by ``Runtime.statistics()``."""

    actors_alive: int
    activations: int
    restarts: int  #: actor restarts, all kinds
    supervisor_restarts: int  #: restarts of whole kinds after one escalated
    mailbox_depth: int  #: messages queued in all mailboxes
    max_mailbox_depth: int  #: the deepest single mailbox
    pending_calls: int
    kinds: tuple[KindStatistics, ...]
    bus: BusStatistics
    #: Every supervisor of the tree, the root first: each actor kind's (``kind:<name>``) and
    #: other supervised subtrees such as the media plane (``media``, one child per worker).
    supervisors: tuple[SupervisorStatistics, ...] = ()

    def supervisor(self, name: str) -> SupervisorStatistics | None:
        """The statistics of the supervisor called ``name``, or None when it is not running."""
        return next((s for s in self.supervisors if s.name == name), None)


class Runtime:
    """One node's actors: ``registry`` to address them, ``bus`` for live events, ``supervisor``
    (the root) for other long-lived children such as the Notifier and Scheduler.
    """

    def __init__(self, supervisor: Supervisor, registry: Registry, bus: EventBus) -> None:
        self.supervisor = supervisor
        self.registry = registry
        self.bus = bus

    def statistics(self) -> RuntimeStatistics:
        registry = self.registry.statistics()
        return RuntimeStatistics(
            actors_alive=registry.actors_alive, activations=registry.activations,
            restarts=registry.restarts,
            supervisor_restarts=self.supervisor.statistics().restarts,
            mailbox_depth=registry.mailbox_depth, max_mailbox_depth=registry.max_mailbox_depth,
            pending_calls=registry.pending_calls, kinds=registry.kinds,
            bus=self.bus.statistics(), supervisors=self.supervisor.tree_statistics(),
        )


@asynccontextmanager
async def open_runtime(
    store: StateStore,
    *,
    intensity: int = 3,
    period: float = 30.0,
    stop_grace: float = 5.0,
    bus_buffer: int = DEFAULT_BUFFER,
) -> AsyncIterator[Runtime]:
    """Start the root supervisor and yield the Runtime; stop everything on exit.

    ``intensity``/``period`` bound restarts of whole kinds by the root supervisor: beyond them
    the root escalates and the error propagates out of this context (the node fails loudly).
    """
    bus = EventBus(buffer=bus_buffer)
    root = Supervisor(intensity=intensity, period=period, name="root")
    registry = Registry(root, store=store, bus=bus, stop_grace=stop_grace)
    runtime = Runtime(root, registry, bus)
    block_error: BaseException | None = None
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(root.run)
            log.info("actor runtime started")
            try:
                yield runtime
            except BaseException as exc:
                block_error = exc
                raise
            finally:
                nursery.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        # An error raised by the caller's own block comes back out as itself, not wrapped in
        # the nursery's group: the runtime added nothing to it. Errors of the runtime's own
        # tasks (an escalation) stay grouped.
        if block_error is not None and group.exceptions == (block_error,):
            raise block_error from None
        raise
    finally:
        registry.close()
        bus.close()
        log.info("actor runtime stopped")
