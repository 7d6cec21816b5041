"""When a session ends: the ``ends_at`` a chair sets (an end time or a duration), checked.

The call page counts down to it under "Time Left" and warns at 5 and at 1 minute; reaching it
does not end the call (a clinical visit is never cut off by the clock: the chair closes it).
"""

from __future__ import annotations

import datetime as dt

from vclinic.errors import BadRequest

#: Longest a session may be set to last, from its start (now, or its scheduled time if later).
MAX_MINUTES = 12 * 60


def end_time(ends_at: dt.datetime | None, duration_minutes: int | None,
             scheduled_at: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """The checked end of a session from ``ends_at`` (aware) or ``duration_minutes``."""
    if ends_at is not None and duration_minutes is not None:
        raise BadRequest("Give either ends_at or duration_minutes, not both.",
                         code="invalid_end")
    start = max(now, scheduled_at) if scheduled_at is not None else now
    if duration_minutes is not None:
        if not 1 <= duration_minutes <= MAX_MINUTES:
            raise BadRequest(f"A session lasts 1 to {MAX_MINUTES} minutes.", code="invalid_end")
        return start + dt.timedelta(minutes=duration_minutes)
    if ends_at is None:
        return None
    if ends_at.tzinfo is None:
        raise BadRequest("Give ends_at with a time zone (e.g. 2020-04-15T10:30:00Z).",
                         code="invalid_end")
    ends_at = ends_at.astimezone(dt.UTC)
    if ends_at <= start:
        raise BadRequest("The end of a session must be in the future and after its start.",
                         code="invalid_end")
    if ends_at - start > dt.timedelta(minutes=MAX_MINUTES):
        raise BadRequest(f"A session lasts at most {MAX_MINUTES // 60} hours.",
                         code="invalid_end")
    return ends_at
