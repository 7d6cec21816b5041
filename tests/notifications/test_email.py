"""Email goes out through a real SMTP server (aiosmtpd on loopback), with retries."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import trio

from tests.fakes import eventually, start_node
from tests.smtp import free_port, wait_for_mail
from vclinic.notifications.email import OutboxEmail, enqueue


async def test_enqueued_email_is_delivered_with_its_attachment(
    nursery: trio.Nursery, tmp_path: Path, smtp_server: tuple[int, Path]
) -> None:
    port, maildir = smtp_server
    node = await start_node(nursery, tmp_path / "node", smtp_port=port,
                            smtp_from="clinic@demo.clinic", smtp_from_name="Demo Clinic",
                            public_url="https://telehealth.demo.clinic")
    ctx = node.context
    row = await ctx.store.atomic(lambda: enqueue(
        "patient@example.org", "Your request was declined", "Please call the clinic.",
        kind="test.declined",
        attachments=[("invite.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")]))
    ctx.mailer.wake()
    [received] = await wait_for_mail(maildir)
    message = message_from_bytes(received.as_bytes())
    assert message["To"] == "patient@example.org"
    assert message["From"] == "Demo Clinic <clinic@demo.clinic>"
    assert message["Subject"] == "Your request was declined"
    # RFC 5322: an origination date, and a unique Message-ID on the deployment's domain.
    sent_on = parsedate_to_datetime(message["Date"])
    assert sent_on.tzinfo is not None
    assert abs((sent_on - dt.datetime.now(dt.UTC)).total_seconds()) < 3600
    assert message["Message-ID"] == f"<{row.id}@telehealth.demo.clinic>"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Please call the clinic." in parts["text/plain"].get_payload(decode=True).decode()
    assert b"BEGIN:VCALENDAR" in parts["text/calendar"].get_payload(decode=True)
    async def sent() -> bool:
        return (await ctx.store.run(OutboxEmail.get_by_id, row.id)).status == "sent"

    await eventually(sent, "the email to be marked sent")


async def test_unreachable_server_is_retried_then_marked_failed(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    node = await start_node(nursery, tmp_path, smtp_port=free_port(),
                            email_retry_seconds=0.05, email_max_attempts=3)
    ctx = node.context
    row = await ctx.store.atomic(lambda: enqueue("a@example.org", "Hello", "Body", kind="t"))
    ctx.mailer.wake()
    async def failed() -> OutboxEmail | None:
        found = await ctx.store.run(OutboxEmail.get_by_id, row.id)
        return found if found.status == "failed" else None

    found = await eventually(failed, "the email to be marked failed")
    assert found.attempts == 3
    assert found.last_error == "ConnectionRefusedError"


async def test_a_bad_address_is_refused_and_nothing_is_queued(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    node = await start_node(nursery, tmp_path)
    ctx = node.context
    with pytest.raises(Exception, match="not valid"):
        await ctx.store.atomic(lambda: enqueue("no-at-sign", "Hi", "Body", kind="t"))
    assert await ctx.store.run(lambda: OutboxEmail.select().count()) == 0
