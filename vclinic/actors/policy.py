"""Supervision decisions without a loop: restart types, strategies and restart intensity.

Owned by Supervisor, which asks ``should_restart`` and ``RestartIntensity.allow`` after each
child exit; kept synchronous so tests need no event loop.
"""

from __future__ import annotations

import enum
from collections import deque
from typing import assert_never


class Restart(enum.Enum):
    """When a supervisor restarts a child that exited (Erlang/OTP restart types)."""

    PERMANENT = "permanent"  #: always, also after a normal return
    TRANSIENT = "transient"  #: only after a crash (an exception)
    TEMPORARY = "temporary"  #: never; the child is removed when it exits


class Strategy(enum.Enum):
    """Which children a supervisor restarts when one of them exits."""

    ONE_FOR_ONE = "one_for_one"  #: only the child that exited
    ONE_FOR_ALL = "one_for_all"  #: every child: the others are stopped, then all start again


def should_restart(restart: Restart, error: BaseException | None) -> bool:
    """Whether a child with this restart type is restarted after exiting with ``error``."""
    match restart:
        case Restart.PERMANENT:
            return True
        case Restart.TRANSIENT:
            return error is not None
        case Restart.TEMPORARY:
            return False
        case _:
            assert_never(restart)


class RestartIntensity:
    """A sliding window allowing at most ``intensity`` restarts within ``period`` seconds.

    Times come from the caller (``trio.current_time()``), so a MockClock drives it. The restart
    that would be number ``intensity + 1`` inside the window is refused: the supervisor escalates.
    """

    def __init__(self, intensity: int, period: float) -> None:
        if intensity < 0:
            raise ValueError("intensity must be >= 0")
        if period <= 0:
            raise ValueError("period must be > 0")
        self.intensity = intensity
        self.period = period
        self._times: deque[float] = deque()

    def allow(self, now: float) -> bool:
        """Record a restart at ``now`` and return True, or return False if it exceeds the limit."""
        while self._times and now - self._times[0] >= self.period:
            self._times.popleft()
        if len(self._times) >= self.intensity:
            return False
        self._times.append(now)
        return True

    @property
    def recent(self) -> int:
        """Restarts recorded inside the current window (as of the last ``allow``)."""
        return len(self._times)
