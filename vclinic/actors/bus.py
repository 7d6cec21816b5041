"""The in-process event bus: live events from actors to WebSocket connections on this node.

Owned by the Runtime; actors ``publish``, the gateway ``subscribe``s one receive channel per topic
(``user:<id>``, ``session:<id>``). Local only: an event published on one node reaches
subscribers on that node.

Policy when a subscriber is slow: ``publish`` never blocks. Each subscription has a bounded
buffer; when it is full, the subscriber is dropped: it receives a SubscriptionLost marker, then
end-of-channel. The client then resynchronises (reloads state, or resumes from the last event
number it saw) rather than silently missing events.

Encoding once: an event published as a plain ``{"type": ..., "data": ...}`` dict is delivered
to every subscriber as one :class:`Published` (still a dict), whose ``data`` is serialised to
JSON at most once (:meth:`Published.wire_data`) however many connections forward it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import trio

from vclinic.log import get_logger

log = get_logger("actors.bus")

#: Default events buffered per subscription before the subscriber is dropped.
DEFAULT_BUFFER = 256


@dataclass(frozen=True)
class SubscriptionLost:
    """The last item a dropped subscriber receives: resynchronise, events were missed."""

    topic: str
    reason: str = "overflow"


class Published(dict[str, Any]):
    """An event dict as delivered to every subscriber of one ``publish``: the same object for
    all of them, so that its ``data`` is encoded for the wire once. Treat it as read-only."""

    __slots__ = ("_wire",)
    _wire: str

    def wire_data(self) -> str:
        """``data`` as JSON (``json.dumps`` defaults), computed on first use and kept."""
        try:
            return self._wire
        except AttributeError:
            self._wire = json.dumps(self.get("data", {}))
            return self._wire


@dataclass(frozen=True)
class BusStatistics:
    """A snapshot of the bus, as returned by ``EventBus.statistics()``."""

    topics: int
    subscribers: int
    published: int
    delivered: int
    dropped_subscribers: int


class _Subscription:
    def __init__(self, topic: str, buffer: int) -> None:
        self.topic = topic
        self.buffer = buffer
        # One slot beyond the buffer is reserved for the SubscriptionLost marker.
        self.send, self.receive = trio.open_memory_channel[object](buffer + 1)


class EventBus:
    """Topic-based fan-out of events to bounded subscriber channels; see the module policy."""

    def __init__(self, *, buffer: int = DEFAULT_BUFFER) -> None:
        if buffer < 1:
            raise ValueError("a subscription buffers at least one event")
        self.buffer = buffer
        self._topics: dict[str, set[_Subscription]] = {}
        self._published = 0
        self._delivered = 0
        self._dropped = 0
        self._closed = False

    def publish(self, topic: str, event: object) -> int:
        """Deliver ``event`` to every subscriber of ``topic`` without blocking.

        Returns how many subscribers received it; subscribers whose buffer is full are dropped.
        A plain dict is delivered as one :class:`Published` shared by every subscriber.
        """
        self._published += 1
        if type(event) is dict:
            event = Published(event)
        delivered = 0
        for sub in list(self._topics.get(topic, ())):
            if sub.send.statistics().current_buffer_used >= sub.buffer:
                self._drop(sub, "overflow")
                continue
            try:
                sub.send.send_nowait(event)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                self._forget(sub)  # the subscriber closed its channel itself
                continue
            delivered += 1
        self._delivered += delivered
        return delivered

    @asynccontextmanager
    async def subscribe(self, topic: str, *, buffer: int | None = None,
                        ) -> AsyncIterator[trio.MemoryReceiveChannel[object]]:
        """A receive channel of the events published on ``topic`` from now on, until exit."""
        if self._closed:
            raise trio.ClosedResourceError("the event bus is closed")
        sub = _Subscription(topic, buffer or self.buffer)
        self._topics.setdefault(topic, set()).add(sub)
        try:
            with sub.receive:
                yield sub.receive
        finally:
            self._forget(sub)
            sub.send.close()

    def close(self) -> None:
        """End every subscription (subscribers see end-of-channel); called at runtime shutdown."""
        self._closed = True
        for subs in list(self._topics.values()):
            for sub in list(subs):
                self._forget(sub)
                sub.send.close()

    def statistics(self) -> BusStatistics:
        return BusStatistics(
            topics=len(self._topics),
            subscribers=sum(len(subs) for subs in self._topics.values()),
            published=self._published, delivered=self._delivered,
            dropped_subscribers=self._dropped,
        )

    def _drop(self, sub: _Subscription, reason: str) -> None:
        self._dropped += 1
        log.warning("slow subscriber dropped", topic=sub.topic, reason=reason)
        self._forget(sub)
        # If the subscriber is gone already, closing below is all it needs.
        with suppress(trio.WouldBlock, trio.BrokenResourceError, trio.ClosedResourceError):
            sub.send.send_nowait(SubscriptionLost(sub.topic, reason))
        sub.send.close()

    def _forget(self, sub: _Subscription) -> None:
        subs = self._topics.get(sub.topic)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._topics[sub.topic]
