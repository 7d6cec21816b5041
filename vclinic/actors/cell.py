"""The registry's record of one activated actor: its mailbox and the calls awaiting replies.

A cell lives from activation until the actor is dropped for good; incarnations (restarts) come
and go beneath it. Replies are matched to callers by txn_id, so envelopes stay plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import trio

from vclinic.actors.address import Address
from vclinic.actors.error import ActorStopped
from vclinic.actors.mailbox import Mailbox
from vclinic.errors import Conflict
from vclinic.log import get_logger

log = get_logger("actors.cell")


@dataclass(frozen=True)
class ActorStatistics:
    """A snapshot of one actor, as returned by ``Registry.actor_statistics``."""

    address: str
    mailbox_depth: int
    mailbox_size: int
    senders_waiting: int
    pending_calls: int
    handled: int
    incarnations: int


class ReplySlot:
    """Where the actor puts the outcome of one call; the caller waits on it. Set at most once."""

    def __init__(self, owner: Cell) -> None:
        self.owner = owner  #: the cell whose actor will answer; changes if the call is handed on
        self._event = trio.Event()
        self._value: Any = None
        self._error: BaseException | None = None

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def succeed(self, value: Any) -> None:
        if not self._event.is_set():
            self._value = value
            self._event.set()

    def fail(self, error: BaseException) -> None:
        if not self._event.is_set():
            self._error = error
            self._event.set()

    async def wait(self) -> Any:
        """The reply, or the error raised in the caller; waits until set."""
        await self._event.wait()
        if self._error is not None:
            raise self._error
        return self._value


class Cell:
    """One activated actor's mailbox, pending calls and counters; owned by the Registry."""

    def __init__(self, address: Address, mailbox_size: int) -> None:
        self.address = address
        self.mailbox = Mailbox(address, mailbox_size)
        self.pending: dict[str, ReplySlot] = {}
        self.handled = 0
        self.incarnations = 0
        self.closed = False

    def expect_reply(self, txn_id: str) -> ReplySlot:
        """Register a caller waiting for the reply to ``txn_id``."""
        if txn_id in self.pending:
            raise Conflict("This transaction id is already in flight.", txn_id=txn_id)
        slot = ReplySlot(self)
        self.pending[txn_id] = slot
        return slot

    def forget_reply(self, txn_id: str, slot: ReplySlot) -> None:
        """The caller stopped waiting (reply received or caller cancelled)."""
        if self.pending.get(txn_id) is slot:
            del self.pending[txn_id]

    def hand_over(self, successor: Cell) -> int:
        """Close the mailbox and move what it still held, with the waiting calls, to
        ``successor`` (a new activation of the same address). Returns how many moved.
        """
        left = self.mailbox.close()
        for envelope in left:
            successor.mailbox.put_nowait(envelope)  # fits: both mailboxes have the same size
            slot = self.pending.pop(envelope.txn_id, None) if envelope.wants_reply else None
            if slot is not None:
                slot.owner = successor
                successor.pending[envelope.txn_id] = slot
        return len(left)

    def close(self) -> None:
        """Close the mailbox and fail every call still waiting, with ActorStopped."""
        self.closed = True
        dropped = sum(1 for envelope in self.mailbox.close() if not envelope.wants_reply)
        if dropped:
            log.warning("messages dropped with the actor", actor=str(self.address),
                        dropped=dropped)
        for txn_id, slot in list(self.pending.items()):
            slot.fail(ActorStopped("The actor stopped before answering; retry.",
                                   actor=str(self.address), txn_id=txn_id))

    def statistics(self) -> ActorStatistics:
        mailbox = self.mailbox.statistics()
        return ActorStatistics(
            address=str(self.address), mailbox_depth=mailbox.depth, mailbox_size=mailbox.size,
            senders_waiting=mailbox.senders_waiting, pending_calls=len(self.pending),
            handled=self.handled, incarnations=self.incarnations,
        )
