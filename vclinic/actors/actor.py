"""Actors: the base class, what an actor may reach (ActorContext), and the task that runs one.

An actor owns its state and handles one message at a time from its bounded mailbox. Its task
(``run_actor``) is supervised: an exception escaping ``handle`` crashes it and the supervisor
starts a new incarnation, which recovers in ``on_start`` from the StateStore. The mailbox belongs
to the registry's cell, so queued messages wait for the new incarnation instead of being lost.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import structlog
import trio

from vclinic.actors.address import Address
from vclinic.actors.error import ActorCrashed, ActorStopped, describe
from vclinic.errors import VclinicError
from vclinic.log import get_logger

if TYPE_CHECKING:
    from vclinic.actors.bus import EventBus
    from vclinic.actors.cell import Cell
    from vclinic.actors.message import Envelope
    from vclinic.actors.ref import ActorRef
    from vclinic.actors.registry import Registry
    from vclinic.actors.store import StateStore


class ActorContext:
    """What one incarnation of an actor may reach; built by the registry, one per incarnation.

    ``store`` holds the actor's snapshots, ``bus`` publishes live events, ``ref`` reaches other
    actors (prefer ``send`` between actors: two actors calling each other deadlock).
    """

    def __init__(self, address: Address, *, store: StateStore, bus: EventBus,
                 registry: Registry) -> None:
        self.address = address
        self.store = store
        self.bus = bus
        self._registry = registry
        self.txn_id: str | None = None  #: the transaction being handled, if any
        self.stop_requested = False
        self.log: Any = get_logger("actors.actor", actor=address.kind, actor_id=address.id)

    def ref(self, address: Address | str) -> ActorRef:
        """A reference to another actor (activated on its first message)."""
        return self._registry.ref(address)

    def stop(self) -> None:
        """End this actor normally once its mailbox is empty (deactivation), then ``on_stop``.

        With the registry's default TRANSIENT restart the actor is then dropped; its next
        message (even one sent while ``on_stop`` ran) activates a new incarnation, which
        recovers from the store.
        """
        self.stop_requested = True

    async def load_state(self) -> dict[str, Any] | None:
        """This actor's last saved snapshot, or None."""
        return await self.store.load(self.address)

    async def save_state(self, state: dict[str, Any]) -> None:
        """Save this actor's snapshot; do it before replying so a crash loses nothing."""
        await self.store.save(self.address, state)


class Actor(abc.ABC):
    """Base class of actors; a subclass is its own factory: ``Kind(address, context)``.

    ``on_start`` recovers state (from ``context.load_state()``); ``handle`` gets one message at a
    time and returns the reply (None for none). A VclinicError raised by ``handle`` goes back to
    the caller and the actor carries on; any other exception crashes the actor. ``on_stop`` runs
    on deactivation and on shutdown (with a grace period, shielded) but not after a crash.
    """

    def __init__(self, address: Address, context: ActorContext) -> None:
        self.address = address
        self.context = context

    async def on_start(self) -> None:  # noqa: B027 - an optional hook; the default does nothing
        """Recover state before the first message; the default keeps none."""

    @abc.abstractmethod
    async def handle(self, message: Any) -> Any:
        """Handle one message and return the reply (ignored for ``send``)."""

    async def on_stop(self) -> None:  # noqa: B027 - an optional hook; the default does nothing
        """Flush before the actor stops; the default has nothing to flush."""


ActorFactory = Callable[[Address, ActorContext], Actor]


async def run_actor(cell: Cell, factory: ActorFactory, context: ActorContext,
                    stop_grace: float) -> None:
    """Run one incarnation of the actor behind ``cell``; the supervised child of its kind.

    Returns when the actor asked to stop or its mailbox was closed; raises when it crashed.
    """
    cell.incarnations += 1
    address = cell.address
    # The task was spawned from whichever task sent the first message and copied its context;
    # drop that caller's log bindings so the actor's logs carry only its own ids.
    structlog.contextvars.clear_contextvars()
    with structlog.contextvars.bound_contextvars(actor=address.kind, actor_id=address.id):
        actor = factory(address, context)
        await actor.on_start()
        try:
            # A stop request takes effect once the mailbox is empty: what was already sent
            # is handled by this incarnation, not dropped.
            while not (context.stop_requested and cell.mailbox.statistics().depth == 0):
                try:
                    envelope = await cell.mailbox.get()
                except trio.EndOfChannel:
                    break
                await _deliver(actor, context, cell, envelope)
        except BaseException as exc:
            if not isinstance(exc, Exception):  # cancelled (shutdown or a sibling's restart)
                await _stop_shielded(actor, stop_grace)
            raise
        await actor.on_stop()


async def _deliver(actor: Actor, context: ActorContext, cell: Cell, envelope: Envelope) -> None:
    slot = cell.pending.get(envelope.txn_id) if envelope.wants_reply else None
    context.txn_id = envelope.txn_id
    try:
        with structlog.contextvars.bound_contextvars(txn_id=envelope.txn_id):
            reply = await actor.handle(envelope.body)
    except VclinicError as exc:
        if slot is not None:
            slot.fail(exc)
        else:
            context.log.info("message refused", txn_id=envelope.txn_id, code=exc.code)
    except Exception as exc:
        context.log.error("actor crashed", txn_id=envelope.txn_id, error=describe(exc))
        if slot is not None:
            slot.fail(ActorCrashed("The actor failed while handling this request.",
                                   actor=str(cell.address), txn_id=envelope.txn_id))
        raise
    except BaseException:
        if slot is not None:
            slot.fail(ActorStopped("The actor was stopped while handling this request.",
                                   actor=str(cell.address), txn_id=envelope.txn_id))
        raise
    else:
        if slot is not None:
            slot.succeed(reply)
    finally:
        context.txn_id = None
        cell.handled += 1


async def _stop_shielded(actor: Actor, grace: float) -> None:
    # on_stop must get its chance to flush even though we are being cancelled; the grace
    # period bounds how long shutdown can be held up by a slow store.
    with trio.move_on_after(grace, shield=True):
        try:
            await actor.on_stop()
        except Exception as exc:
            get_logger("actors.actor").error("on_stop failed", actor=str(actor.address),
                                             error=describe(exc))
