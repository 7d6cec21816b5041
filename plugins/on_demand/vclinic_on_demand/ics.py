"""The iCalendar (RFC 5545) invitation attached to a booking's confirmation email."""

from __future__ import annotations

import datetime as dt

PRODID = "-//vclinic//On-Demand calendar//EN"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r", "").replace("\n", "\\n"))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded: CRLF then one space (RFC 5545 3.1).
    raw = line.encode()
    if len(raw) <= 75:
        return line
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


def invitation(uid: str, starts_at: dt.datetime, minutes: int, summary: str,
               description: str, organizer: str, organizer_email: str,
               now: dt.datetime) -> bytes:
    """A ``METHOD:REQUEST`` event with a stable ``UID`` (the booking id) and ``SEQUENCE:0``,
    organised by ``organizer`` (the clinic's name) at ``organizer_email`` (the From address)."""
    # A quoted parameter value may hold anything but a double quote and control characters.
    cn = "".join(ch for ch in organizer if ch != '"' and ord(ch) >= 32)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "METHOD:REQUEST",
             "BEGIN:VEVENT", f"UID:{uid}", "SEQUENCE:0", f"DTSTAMP:{_stamp(now)}",
             f"DTSTART:{_stamp(starts_at)}",
             f"DTEND:{_stamp(starts_at + dt.timedelta(minutes=minutes))}",
             f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(description)}",
             f'ORGANIZER;CN="{cn}":mailto:{organizer_email}',
             "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
