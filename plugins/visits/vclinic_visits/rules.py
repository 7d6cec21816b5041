"""The Visits rules as plain functions of a visit's fields and the time: no I/O, no clock.

The seed's messages live here, in its words, so that the routes, the VisitActor and the join
policy all say the same thing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

#: The invite link works until this long after the visit's scheduled end.
LINK_GRACE = dt.timedelta(minutes=15)

NOT_ASSIGNED = ("You need to be assigned to the visit to be able to send an invitation to the "
                "client.")
NO_EMAIL = "The client does not have an email address."
CLOCK_IN_FIRST = "You must clock into the visit before you can join the video session."
LINK_EXPIRED = ("The link to the virtual session has expired (15 minutes after the scheduled end "
                "of the visit). Create a new visit and send a new invite to the client.")
CLIENT_LINK_EXPIRED = ("This link has expired. Ask your care provider to send you a new "
                       "invite.")
LINK_REPLACED = ("The time of this visit changed, so this link no longer works. Use the link in "
                 "the newest invite.")
REMOVED_AFTER_CHANGE = ("The time of this visit changed, so the link you joined with no longer "
                        "works. Use the link in the newest invite from your care provider.")
SESSION_OVER = ("The virtual session for this visit is over: a new one cannot be opened for "
                "this visit.")
CLIENT_SESSION_OVER = "This visit is over. You can now close the page."
CANCELLED = "This visit was cancelled."
NOT_VIRTUAL = "This visit's service code does not allow virtual visits."
RESEND_AFTER_CHANGE = ("The time of the visit was changed: you will need to resend the invite "
                       "to the client.")
HANG_UP_WARNING = ("Hanging up ends the video session with the client: no new video session "
                   "can be opened for this visit.")
HUNG_UP = "Your session with the client is over. You can now close the page."
CLIENT_LEFT = ("The client has left the session. The session stays open: the client can rejoin "
               "with the same link.")
STILL_ACTIVE = ("The virtual session is still active. Remember to hang up the video call as "
                "well.")


def link_expires_at(ends_at: dt.datetime) -> dt.datetime:
    """When the invite link of a visit that ends at ``ends_at`` stops working."""
    return ends_at + LINK_GRACE


def link_open(ends_at: dt.datetime, now: dt.datetime) -> bool:
    """True while the visit's link works: up to and including 15 minutes after its end."""
    return now <= link_expires_at(ends_at)


def check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> str | None:
    """Why a visit cannot have these times, or None."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return "Give the start and the end with a time zone (e.g. 2026-12-04T09:30:00Z)."
    if ends_at <= starts_at:
        return "A visit must end after it starts."
    if ends_at - starts_at > dt.timedelta(hours=24):
        return "A visit can last at most 24 hours."
    return None


def time_zone(zone: str | None) -> dt.tzinfo:
    """The IANA time zone ``zone`` (UTC when none or unknown)."""
    try:
        return zoneinfo.ZoneInfo(zone) if zone else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local_time(when: dt.datetime, zone: str | None) -> str:
    """``when`` as HH:MM in the IANA time zone ``zone`` (UTC when none or unknown)."""
    return when.astimezone(time_zone(zone)).strftime("%H:%M")


def visit_times(starts_at: dt.datetime, ends_at: dt.datetime, zone: str | None) -> str:
    """A visit's day and times in ``zone`` for an email: "Monday 02 March 2026, 10:00 to 11:00
    (Europe/Paris)" (the end's date too when it falls on another day)."""
    tz = time_zone(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%A %d %B %Y}, {end:%H:%M}"
    name = zone if tz is not dt.UTC and zone else "UTC"
    return f"{start:%A %d %B %Y}, {start:%H:%M} to {until} ({name})"


def day_bounds(day: dt.date, zone: str | None) -> tuple[dt.datetime, dt.datetime]:
    """The start and end (exclusive) of ``day`` in ``zone``, in UTC."""
    tz = time_zone(zone)
    start = dt.datetime.combine(day, dt.time(), tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def today(now: dt.datetime, zone: str | None) -> dt.date:
    """The date it is at ``now`` in ``zone``."""
    return now.astimezone(time_zone(zone)).date()


def waiting_message(last_invite_at: dt.datetime, zone: str | None) -> str:
    """What the employee sees until the client joins."""
    return ("The client has not joined the session yet. The last invite was sent at "
            f"{local_time(last_invite_at, zone)}.")
