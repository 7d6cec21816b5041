"""The iCalendar (RFC 5545) attachment of a conference's emails: the event id as a stable UID,
SEQUENCE bumped on every change, METHOD:CANCEL when the conference is cancelled."""

from __future__ import annotations

import datetime as dt

PRODID = "-//vclinic//Public Conference//EN"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r", "").replace("\n", "\\n"))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded: CRLF then one space (RFC 5545 3.1).
    parts: list[str] = []
    current = b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def calendar(uid: str, sequence: int, starts_at: dt.datetime, minutes: int, summary: str,
             description: str, now: dt.datetime, *, cancel: bool = False) -> bytes:
    """One VEVENT: ``METHOD:REQUEST`` (new or changed) or ``METHOD:CANCEL``."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}",
             "METHOD:CANCEL" if cancel else "METHOD:REQUEST",
             "BEGIN:VEVENT", f"UID:{uid}", f"SEQUENCE:{sequence}", f"DTSTAMP:{_stamp(now)}",
             f"DTSTART:{_stamp(starts_at)}",
             f"DTEND:{_stamp(starts_at + dt.timedelta(minutes=minutes))}",
             f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(description)}",
             "STATUS:CANCELLED" if cancel else "STATUS:CONFIRMED", "END:VEVENT",
             "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
