"""The emails of an event, received by a real SMTP server (aiosmtpd on 127.0.0.1): every linked
staff member and patient gets their own link and an iCalendar invitation whose UID stays, whose
SEQUENCE grows on a change, and which says METHOD:CANCEL on cancel."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import trio

from tests.fakes import Client, base_url, eventually, start_node
from tests.public_conference.office import API, Office, at, ok
from tests.smtp import wait_for_mail


def _parts(received: Any) -> tuple[Message, str, str]:
    message = message_from_bytes(received.as_bytes())
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    cal = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return (message, text.get_payload(decode=True).decode(),  # type: ignore[union-attr]
            cal.get_payload(decode=True).decode())  # type: ignore[union-attr]


def _field(calendar: str, name: str) -> str:
    [value] = re.findall(rf"^{name}:(.*)\r$", calendar, re.M)
    return value


async def _mails(maildir: Path, count: int) -> list[Any]:
    async def enough() -> list[Any]:
        mails = await wait_for_mail(maildir)
        return mails if len(mails) >= count else []

    return await eventually(enough, f"{count} emails")  # type: ignore[no-any-return]


async def test_saving_changing_and_cancelling_email_everyone_with_a_calendar(
        nursery: trio.Nursery, tmp_path: Path, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    node = await start_node(nursery, tmp_path / "node", smtp_port=port,
                            smtp_from="clinic@demo.clinic")
    office = await Office.open(base_url(node))
    try:
        event = (await office.event(patients=[
            {"name": "Pat Patient", "email": "pat@example.org"}, {"name": "No Email"}]))["event"]
        mails = await _mails(maildir, 3)
        by_to = {_parts(m)[0]["To"]: _parts(m) for m in mails}
        assert set(by_to) == {"dr.ada@demo.clinic", "dr.grace@demo.clinic", "pat@example.org"}
        message, text, calendar = by_to["pat@example.org"]
        assert message["Subject"] == "Conference: Family meeting"
        assert "Hello Pat Patient," in text
        [link] = re.findall(r"http://\S+/conference/join/\S+", text)
        assert link.removeprefix(office.base) == await office.link(event, "Pat Patient")
        uid = _field(calendar, "UID")
        assert _field(calendar, "METHOD") == "REQUEST" and _field(calendar, "SEQUENCE") == "0"
        assert _field(calendar, "SUMMARY") == "Family meeting"
        # Each person's email carries their own link; the calendar event is the same.
        grace_text, grace_cal = by_to["dr.grace@demo.clinic"][1:]
        assert link not in grace_text and _field(grace_cal, "UID") == uid

        # The link in the email works.
        browser = Client(office.base)
        try:
            followed = await browser.http.get(link.removeprefix(office.base))
            assert followed.status_code == 303
        finally:
            await browser.aclose()

        ok(await office.ada.request("PATCH", f"{API}/{event['id']}",
                                    json={"starts_at": at(90)}))
        changed = [_parts(m) for m in (await _mails(maildir, 6))
                   if _parts(m)[0]["Subject"] == "Conference changed: Family meeting"]
        assert len(changed) == 3
        assert {_field(c, "UID") for _, _, c in changed} == {uid}
        assert {_field(c, "SEQUENCE") for _, _, c in changed} == {"1"}

        ok(await office.ada.request("POST", f"{API}/{event['id']}/cancel"))
        cancels = [_parts(m) for m in (await _mails(maildir, 9))
                   if _parts(m)[0]["Subject"] == "Conference cancelled: Family meeting"]
        assert len(cancels) == 3
        for _, text, calendar in cancels:
            assert _field(calendar, "METHOD") == "CANCEL" and _field(calendar, "UID") == uid
            assert _field(calendar, "SEQUENCE") == "2"
            assert "/conference/join/" not in text
    finally:
        await office.aclose()


async def test_send_join_link_by_email_to_one_person(
        nursery: trio.Nursery, tmp_path: Path, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    node = await start_node(nursery, tmp_path / "node", smtp_port=port,
                            smtp_from="clinic@demo.clinic")
    office = await Office.open(base_url(node))
    try:
        event = (await office.event(patients=[{"name": "No Email"}]))["event"]
        await _mails(maildir, 2)
        [grace] = [m for m in event["members"] if m["name"] == "Dr Grace Hopper"]
        [nomail] = [m for m in event["members"] if m["name"] == "No Email"]
        ok(await office.ada.request("POST",
                                    f"{API}/{event['id']}/members/{grace['id']}/email"))
        mails = [_parts(m) for m in await _mails(maildir, 3)]
        to_grace = [m for m in mails if m[0]["To"] == "dr.grace@demo.clinic"]
        assert len(to_grace) == 2
        refused = await office.ada.request("POST",
                                           f"{API}/{event['id']}/members/{nomail['id']}/email")
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_email"
    finally:
        await office.aclose()
