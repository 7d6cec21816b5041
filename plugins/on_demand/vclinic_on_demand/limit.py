"""A per-address limit on the public calendar's endpoints (no sign-in protects them).

In memory, per node, a fixed window per client address: enough to stop one client flooding
the clinic with bookings or listings. Memory is bounded: past ``max_keys`` addresses the
oldest windows are dropped.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable

import trio

from vclinic.api import RateLimited


class PublicLimit:
    """At most ``attempts`` calls per ``window_seconds`` from one address; shared by a route."""

    def __init__(self, attempts: int, window_seconds: float,
                 clock: Callable[[], float] = trio.current_time, max_keys: int = 10_000) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        # Address -> (window start, calls in it); least recently started first.
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def check(self, key: str) -> None:
        """Count a call from ``key``; RateLimited (with ``retry_after``) past the limit."""
        now = self._clock()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        if count >= self.attempts:
            raise RateLimited("Too many requests; please wait a moment and try again.",
                              retry_after=max(1, math.ceil(start + self.window - now)))
        self._windows[key] = (start, count + 1)
        self._windows.move_to_end(key)
        while len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)
