"""The booking's iCalendar invitation, as a calendar program reads it (RFC 5545)."""

from __future__ import annotations

import datetime as dt

from vclinic_on_demand import ics


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_invitation_has_the_event_with_escaped_folded_text() -> None:
    start = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    summary = "Video visit with Dr Zoë Long-Name; Cardiology, Ward 7 " + "x" * 80
    raw = ics.invitation("B1", start, 30, summary, "Line one\nLine two", "Demo Clinic",
                         "clinic@demo.clinic", start - dt.timedelta(days=1)).decode()
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = _unfold(raw)
    assert "DTSTART:20260302T083000Z" in lines
    assert "DTEND:20260302T090000Z" in lines
    assert "UID:B1" in lines and "SEQUENCE:0" in lines and "METHOD:REQUEST" in lines
    assert ("SUMMARY:Video visit with Dr Zoë Long-Name\\; Cardiology\\, Ward 7 " + "x" * 80
            in lines)
    assert "DESCRIPTION:Line one\\nLine two" in lines
    assert 'ORGANIZER;CN="Demo Clinic":mailto:clinic@demo.clinic' in lines
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
