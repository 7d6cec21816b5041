"""Timers: messages delivered to actors after a delay (grace periods, link expiry).

One per node, owned by the composition root and run as a permanent child of the root supervisor;
actors ask it with ``after(delay, address, message)`` from inside ``handle``. Time is
``trio.current_time()``, so ``autojump_clock`` drives it in tests. Pending timers live in memory:
after a node restart, actors re-arm what they need in ``on_start``.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import trio

from vclinic.actors import Address, Registry
from vclinic.errors import VclinicError
from vclinic.log import get_logger

log = get_logger("sessions.timer")


class Timers:
    """Delayed one-way messages to actors, delivered with ``send_nowait`` when due."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._heap: list[tuple[float, int, str, Any]] = []
        self._seq = 0
        self._wake = trio.Event()

    def after(self, delay: float, address: Address | str, message: Any) -> None:
        """Send ``message`` to ``address`` once ``delay`` seconds have passed."""
        self._seq += 1
        heapq.heappush(self._heap, (trio.current_time() + delay, self._seq, str(address),
                                    message))
        self._wake.set()

    def pending(self) -> int:
        return len(self._heap)

    async def run(self) -> None:
        """Deliver due messages until cancelled."""
        while True:
            now = trio.current_time()
            while self._heap and self._heap[0][0] <= now:
                _, _, address, message = heapq.heappop(self._heap)
                try:
                    self._registry.ref(address).send_nowait(message)
                except VclinicError as exc:  # mailbox full or runtime stopping: drop, logged
                    log.warning("timer_dropped", address=address, code=exc.code)
            self._wake = trio.Event()
            deadline = self._heap[0][0] if self._heap else math.inf
            with trio.move_on_at(deadline):
                await self._wake.wait()
