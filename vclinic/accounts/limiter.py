"""A counter of failed sign-ins per key, over a sliding window (the lockout's building block).

In memory, per node: a guessing attack spread over nodes gets ``attempts`` tries per node and
window, which still makes guessing impractical. Memory is bounded: each key keeps at most
``attempts`` timestamps, and past ``max_keys`` keys the least recently failed key that is not
locked out is dropped.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

import trio

from vclinic.errors import RateLimited


class SigninLimiter:
    """Counts failed sign-ins by key; owned by the web app, shared by its sign-in route."""

    def __init__(
        self,
        attempts: int,
        window_seconds: float,
        clock: Callable[[], float] = trio.current_time,
        max_keys: int = 10_000,
    ) -> None:
        if attempts < 1 or window_seconds <= 0 or max_keys < 1:
            raise ValueError("attempts, window_seconds and max_keys must be positive")
        self.attempts = attempts
        self.window = float(window_seconds)
        self.max_keys = max_keys
        self._clock = clock
        # Failure times per key, least recently failed key first.
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, keys: Iterable[str]) -> float:
        """Seconds until every one of ``keys`` may try again (0 if all may now)."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            times = self._recent(key, now)
            if times is not None and len(times) >= self.attempts:
                wait = max(wait, times[0] + self.window - now)
        return wait

    def check(self, keys: Iterable[str]) -> None:
        """Raise RateLimited if any of ``keys`` used up its attempts in the current window."""
        wait = self.retry_after(keys)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                "Too many sign-in attempts; try again later", retry_after=seconds
            )

    def failed(self, keys: Iterable[str]) -> None:
        """Count a failed sign-in against each of ``keys``."""
        now = self._clock()
        for key in keys:
            times = self._recent(key, now)
            if times is None:
                times = self._failures[key] = deque(maxlen=self.attempts)
            else:
                self._failures.move_to_end(key)
            times.append(now)
        self._prune(now)

    def succeeded(self, keys: Iterable[str]) -> None:
        """Forget the failures of ``keys`` after a successful sign-in.

        Pass the account key only: clearing the client key would let someone holding one valid
        account reset the count of their guesses at others.
        """
        for key in keys:
            self._failures.pop(key, None)

    def __len__(self) -> int:
        """Keys currently tracked."""
        return len(self._failures)

    def _prune(self, now: float) -> None:
        # Keys are ordered by their latest failure, so the expired ones form a prefix.
        while self._failures:
            times = next(iter(self._failures.values()))
            if times[-1] > now - self.window:
                break
            self._failures.popitem(last=False)
        # Over the bound, forget the least recently failed key that is not locked out: failing
        # once each with made-up keys must not flush a lockout out of memory. Only when every
        # key is locked out does the least recent one go.
        while len(self._failures) > self.max_keys:
            unlocked = next((key for key, times in self._failures.items()
                             if len(times) < self.attempts), None)
            if unlocked is None:
                self._failures.popitem(last=False)
            else:
                del self._failures[unlocked]
