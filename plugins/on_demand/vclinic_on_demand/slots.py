"""The public calendar's bookable times: a provider's weekly hours minus what is booked.

Sans-IO: plain functions of the schedule, the clock and the busy times, tested without a
database. Weekly hours are wall-clock times in the organisation's time zone (``Europe/Paris``),
so a slot keeps its local time across daylight-saving changes; slots are returned in UTC and the
visitor's browser shows them in the visitor's own time zone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vclinic.api import BadRequest

#: How far ahead the public calendar offers times.
DAYS = 14
DEFAULT_SLOT_MINUTES = 30
SLOT_MINUTES = (10, 15, 20, 30, 45, 60, 90, 120)
#: Most weekly ranges one provider may have (a few per day).
MAX_RANGES = 35
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def check_zone(name: Any) -> str:
    """``name`` if it is an IANA time zone; BadRequest otherwise."""
    if not isinstance(name, str) or not 1 <= len(name) <= 64:
        raise BadRequest("Choose a time zone such as Europe/London.", code="invalid_time_zone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest("Choose a time zone such as Europe/London.",
                         code="invalid_time_zone") from None
    return name


def _minutes(text: Any) -> int:
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        raise BadRequest("Write times as HH:MM, for example 09:00.", code="invalid_hours")
    return int(match[1]) * 60 + int(match[2])


def check_hours(ranges: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One provider's weekly ranges ``[{"day": "monday", "start": "09:00", "end": "12:00"}]``,
    checked (known day, start before end, no overlap on a day) and sorted."""
    if len(ranges) > MAX_RANGES:
        raise BadRequest(f"At most {MAX_RANGES} ranges per provider.", code="invalid_hours")
    cleaned: list[tuple[int, int, int]] = []
    for item in ranges:
        day = item.get("day")
        if day not in WEEKDAYS:
            raise BadRequest("Each range needs a day of the week (monday to sunday).",
                             code="invalid_hours")
        start, end = _minutes(item.get("start")), _minutes(item.get("end"))
        if end <= start:
            raise BadRequest("Each range must end after it starts.", code="invalid_hours")
        cleaned.append((WEEKDAYS.index(str(day)), start, end))
    cleaned.sort()
    for (day_a, _, end_a), (day_b, start_b, _) in itertools.pairwise(cleaned):
        if day_a == day_b and start_b < end_a:
            raise BadRequest(f"Two ranges overlap on {WEEKDAYS[day_a].title()}.",
                             code="invalid_hours")
    return [{"day": WEEKDAYS[d], "start": f"{s // 60:02d}:{s % 60:02d}",
             "end": f"{e // 60:02d}:{e % 60:02d}"} for d, s, e in cleaned]


def weekly_starts(hours: Sequence[Mapping[str, str]], zone: str, slot_minutes: int,
                  now: dt.datetime, days: int = DAYS) -> list[dt.datetime]:
    """Every slot start (UTC) of ``hours`` from ``now`` (exclusive) for ``days`` days: each
    range is cut into whole slots of ``slot_minutes``; a partial slot at its end is dropped."""
    tz = ZoneInfo(zone)
    local_today = now.astimezone(tz).date()
    found: set[dt.datetime] = set()
    for offset in range(days + 1):
        day = local_today + dt.timedelta(days=offset)
        for item in hours:
            if WEEKDAYS[day.weekday()] != item["day"]:
                continue
            start, end = _minutes(item["start"]), _minutes(item["end"])
            begin = dt.datetime.combine(day, dt.time(), tzinfo=tz)
            at = start
            while at + slot_minutes <= end:
                local = begin + dt.timedelta(minutes=at)
                # Round-trip through UTC: a wall time skipped by a clock change does not exist.
                utc = local.astimezone(dt.UTC)
                if utc.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
                    found.add(utc)
                at += slot_minutes
    horizon = now + dt.timedelta(days=days)
    return sorted(s for s in found if now < s <= horizon)


def free(starts: Iterable[dt.datetime], busy: Iterable[dt.datetime],
         slot_minutes: int) -> list[dt.datetime]:
    """The ``starts`` no appointment overlaps: an appointment is taken to last one slot."""
    length = dt.timedelta(minutes=slot_minutes)
    taken = sorted(busy)
    return [s for s in starts if not any(abs(b - s) < length for b in taken)]
