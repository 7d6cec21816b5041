"""ActorRef: how code outside an actor (routes, the gateway, other actors) reaches it.

A ref names an address, not an incarnation: every message is routed through the registry, which
activates the actor when needed, so a ref stays valid across restarts and deactivations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import trio

from vclinic.actors.address import Address
from vclinic.actors.message import Envelope, check_message
from vclinic.ids import new_id

if TYPE_CHECKING:
    from vclinic.actors.registry import Registry


class ActorRef:
    """A handle on the actor at ``address``; cheap to create, safe to keep.

    ``send`` waits while the mailbox is full (backpressure), ``send_nowait`` raises MailboxFull,
    ``call`` waits for the reply. There are no timeouts: wrap calls in ``trio.fail_after``. A call
    given up that way may still be handled later; its reply is then dropped.
    """

    __slots__ = ("_registry", "address")

    def __init__(self, address: Address, registry: Registry) -> None:
        self.address = address
        self._registry = registry

    def __repr__(self) -> str:
        return f"ActorRef({str(self.address)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ActorRef) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    async def send(self, message: object, *, txn_id: str | None = None) -> str:
        """Queue ``message`` without waiting for a reply; waits while the mailbox is full.

        Returns the txn_id (generated unless given).
        """
        check_message(message)
        envelope = Envelope(txn_id or new_id(), message)
        while True:
            cell = self._registry._cell_for(self.address)
            try:
                await cell.mailbox.put(envelope)
            except trio.ClosedResourceError:
                continue  # the actor was dropped while we waited: activate it again
            return envelope.txn_id

    def send_nowait(self, message: object, *, txn_id: str | None = None) -> str:
        """Queue ``message`` now or raise MailboxFull; returns the txn_id."""
        check_message(message)
        envelope = Envelope(txn_id or new_id(), message)
        while True:
            cell = self._registry._cell_for(self.address)
            try:
                cell.mailbox.put_nowait(envelope)
            except trio.ClosedResourceError:
                continue
            return envelope.txn_id

    async def call(self, message: object, *, txn_id: str | None = None) -> Any:
        """Send ``message`` and return the actor's reply.

        Raises the VclinicError the actor raised, ActorCrashed if handling crashed the actor,
        ActorStopped if the actor or the runtime stopped first.
        """
        check_message(message)
        envelope = Envelope(txn_id or new_id(), message, wants_reply=True)
        while True:
            cell = self._registry._cell_for(self.address)
            slot = cell.expect_reply(envelope.txn_id)
            try:
                try:
                    await cell.mailbox.put(envelope)
                except trio.ClosedResourceError:
                    continue
                return await slot.wait()
            finally:
                slot.owner.forget_reply(envelope.txn_id, slot)
