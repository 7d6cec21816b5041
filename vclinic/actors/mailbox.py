"""Bounded mailboxes: the one way messages reach an actor.

A mailbox belongs to the registry's cell for an address, not to one incarnation of the actor, so
messages queued behind a crashing message survive the crash and reach the restarted actor.
"""

from __future__ import annotations

from dataclasses import dataclass

import trio

from vclinic.actors.address import Address
from vclinic.actors.error import MailboxFull
from vclinic.actors.message import Envelope


@dataclass(frozen=True)
class MailboxStatistics:
    """A snapshot of one mailbox: how full it is and how many senders wait for room."""

    depth: int
    size: int
    senders_waiting: int
    closed: bool


class Mailbox:
    """A FIFO of at most ``size`` envelopes in front of one actor.

    Policy when full: ``put`` waits for room (backpressure reaches the sender);
    ``put_nowait`` raises MailboxFull. After ``close``, puts raise trio.ClosedResourceError
    (the ActorRef then re-resolves the address) and the reader gets the remaining envelopes,
    then trio.EndOfChannel.
    """

    def __init__(self, address: Address, size: int) -> None:
        if size < 1:
            raise ValueError("a mailbox holds at least one message")
        self.address = address
        self.size = size
        self._send, self._receive = trio.open_memory_channel[Envelope](size)
        self._closed = False

    async def put(self, envelope: Envelope) -> None:
        """Queue ``envelope``, waiting while the mailbox is full."""
        await self._send.send(envelope)

    def put_nowait(self, envelope: Envelope) -> None:
        """Queue ``envelope`` or raise MailboxFull at once."""
        try:
            self._send.send_nowait(envelope)
        except trio.WouldBlock:
            raise MailboxFull("The actor is busy; try again shortly.", actor=str(self.address),
                              size=self.size) from None

    async def get(self) -> Envelope:
        """The next envelope, waiting for one; raises trio.EndOfChannel once closed and empty."""
        return await self._receive.receive()

    def close(self) -> list[Envelope]:
        """Refuse new envelopes and return those still queued (the caller fails their calls)."""
        self._closed = True
        self._send.close()
        left: list[Envelope] = []
        while True:
            try:
                left.append(self._receive.receive_nowait())
            except (trio.WouldBlock, trio.EndOfChannel):
                return left

    def statistics(self) -> MailboxStatistics:
        """Depth, capacity and waiting senders, read from the underlying channel."""
        stats = self._receive.statistics()
        return MailboxStatistics(depth=stats.current_buffer_used, size=self.size,
                                 senders_waiting=stats.tasks_waiting_send, closed=self._closed)
