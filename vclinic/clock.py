"""The node's clock: what time it is, as the services see it.

Workflow rules that depend on the time of day (a visit's link window, a schedule's "today") ask
``services.clock.now()`` instead of the system clock, so that a test can drive time: it gives
the node a :class:`ManualClock` and moves it. Timers and timeouts keep trio's own clock.
"""

from __future__ import annotations

import datetime as dt

from vclinic.store.field import utcnow


class Clock:
    """The real clock: ``now()`` is the current time in UTC."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        return utcnow()


class ManualClock(Clock):
    """A clock that stands still until told: ``set(when)`` or ``advance(delta)``."""

    def __init__(self, when: dt.datetime) -> None:
        self._now = self._check(when)

    @staticmethod
    def _check(when: dt.datetime) -> dt.datetime:
        if when.tzinfo is None:
            raise ValueError("a ManualClock needs a timezone-aware time")
        return when.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        """Make it ``when`` (timezone-aware)."""
        self._now = self._check(when)

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock on by ``delta`` (back when negative)."""
        self._now += delta
