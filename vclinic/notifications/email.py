"""Email notifications: an outbox table and the Mailer that delivers it over SMTP.

A workflow enqueues an email in the same transaction as the change it reports (``enqueue`` inside
``store.atomic``), so an email is sent if and only if the change committed. The Mailer, a
permanent child of the root supervisor, sends due emails one at a time, retries failures with
exponential backoff (``email_retry_seconds`` doubled per attempt) and gives up after
``email_max_attempts``, leaving each email's status (``pending``, ``retrying``, ``sent``,
``failed``) on its row. Logs carry the email id and the error's class, never an address.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import smtplib
from collections.abc import Callable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import urlsplit

import peewee
import trio

from vclinic.config import Settings
from vclinic.errors import BadRequest
from vclinic.ids import new_id
from vclinic.log import get_logger
from vclinic.store import BaseModel, Store
from vclinic.store.field import JSONTextField, UTCDateTimeField, utcnow

log = get_logger("mailer")

#: Emails sent per wake-up before the Mailer looks again for newly due ones.
BATCH = 20
#: Longest the Mailer sleeps when nothing is due, so that retries of other nodes' rows are seen.
IDLE_SECONDS = 30.0


class OutboxEmail(BaseModel):
    """One email to send; the row is its delivery record."""

    id = peewee.CharField(max_length=32, primary_key=True, default=new_id)
    to_address = peewee.CharField(max_length=254)
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
    #: ``[{"filename", "content_type", "content_b64"}]``, e.g. an iCalendar invitation.
    attachments = JSONTextField(default=list)
    #: What the email is about (``queue.declined``), for operators and tests.
    kind = peewee.CharField(max_length=64)
    status = peewee.CharField(max_length=16, default="pending")
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = UTCDateTimeField(default=utcnow)
    last_error = peewee.CharField(max_length=200, null=True)
    created_at = UTCDateTimeField(default=utcnow)
    sent_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "outbox_emails"


def enqueue(to_address: str, subject: str, body: str, *, kind: str,
            attachments: Sequence[tuple[str, str, bytes]] = ()) -> OutboxEmail:
    """Add an email to the outbox; call in a store thread, inside the transaction of the change
    it reports. ``attachments`` are ``(filename, content_type, content)``."""
    if "@" not in to_address or len(to_address) > 254 or "\n" in to_address:
        raise BadRequest("The email address is not valid.", code="invalid_email")
    return OutboxEmail.create(
        to_address=to_address, subject=subject[:300].replace("\n", " "), body=body, kind=kind,
        attachments=[{"filename": name, "content_type": ctype,
                      "content_b64": base64.b64encode(content).decode()}
                     for name, ctype, content in attachments],
    )


def sender(settings: Settings) -> Address:
    """The From address: ``smtp_from`` with the ``smtp_from_name`` display name (a name given
    in ``smtp_from`` itself, ``Clinic <clinic@example.org>``, wins)."""
    name, address = parseaddr(settings.smtp_from)
    return Address(display_name=name or settings.smtp_from_name, addr_spec=address)


def message_domain(settings: Settings) -> str:
    """The domain of Message-IDs: the host of ``public_url``, else the sender's domain."""
    host = urlsplit(settings.public_url).hostname if settings.public_url else None
    if host:
        return host
    return parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "localhost"


def _build(row: OutboxEmail, settings: Settings) -> EmailMessage:
    # RFC 5322: an origination Date (when the email was queued: the same on every retry) and
    # a Message-ID unique to the row, on the deployment's own domain.
    message = EmailMessage()
    message["From"] = sender(settings)
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at.astimezone(dt.UTC))
    message["Message-ID"] = f"<{row.id}@{message_domain(settings)}>"
    message.set_content(row.body)
    for item in row.attachments:
        maintype, _, subtype = item["content_type"].partition("/")
        message.add_attachment(base64.b64decode(item["content_b64"]), maintype=maintype,
                               subtype=subtype.split(";")[0] or "octet-stream",
                               filename=item["filename"])
    return message


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def _due(now: dt.datetime) -> list[OutboxEmail]:
    return list(OutboxEmail.select().where(OutboxEmail.status.in_(("pending", "retrying")),
                                           OutboxEmail.next_attempt_at <= now)
                .order_by(OutboxEmail.next_attempt_at).limit(BATCH))


def _next_due() -> dt.datetime | None:
    row = (OutboxEmail.select(OutboxEmail.next_attempt_at)
           .where(OutboxEmail.status.in_(("pending", "retrying")))
           .order_by(OutboxEmail.next_attempt_at).first())
    return row.next_attempt_at if row else None


@dataclasses.dataclass(frozen=True)
class OutboxStatistics:
    """The outbox as metrics show it."""

    #: Emails pending or waiting for a retry.
    waiting: int
    #: Emails given up on.
    failed: int
    #: Seconds since the oldest waiting email was queued (0 when none waits).
    oldest_seconds: float


def outbox_statistics(now: dt.datetime) -> OutboxStatistics:
    """Count the outbox by status (in a store thread)."""
    waiting = OutboxEmail.status.in_(("pending", "retrying"))
    first = (OutboxEmail.select(OutboxEmail.created_at).where(waiting)
             .order_by(OutboxEmail.created_at).first())
    oldest = first.created_at if first is not None else None
    return OutboxStatistics(
        waiting=OutboxEmail.select().where(waiting).count(),
        failed=OutboxEmail.select().where(OutboxEmail.status == "failed").count(),
        oldest_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    )


def _record(email_id: str, fields: dict[str, Any]) -> None:
    OutboxEmail.update(**fields).where(OutboxEmail.id == email_id).execute()


class Mailer:
    """Delivers the outbox; ``wake()`` after enqueueing to send without waiting."""

    def __init__(self, store: Store, settings: Settings,
                 on_failure: Callable[[bool], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        #: Told of each failed attempt, and whether it was the last (for metrics).
        self._on_failure = on_failure
        self._wake = trio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Send due emails until cancelled; a permanent child of the root supervisor."""
        while True:
            self._wake = trio.Event()
            for row in await self.store.run(_due, utcnow()):
                await self._deliver(row)
            next_at = await self.store.run(_next_due)
            delay = IDLE_SECONDS
            if next_at is not None:
                delay = min(delay, max(0.0, (next_at - utcnow()).total_seconds()))
            with trio.move_on_after(delay):
                await self._wake.wait()

    async def _deliver(self, row: OutboxEmail) -> None:
        attempts = row.attempts + 1
        try:
            message = _build(row, self.settings)
            await trio.to_thread.run_sync(_send, self.settings, message)
        except (OSError, smtplib.SMTPException) as exc:
            failed = attempts >= self.settings.email_max_attempts
            backoff = self.settings.email_retry_seconds * 2 ** (attempts - 1)
            await self.store.run(_record, row.id, {
                "attempts": attempts, "status": "failed" if failed else "retrying",
                "last_error": type(exc).__name__,
                "next_attempt_at": utcnow() + dt.timedelta(seconds=backoff),
            })
            log.warning("email_failed", email_id=row.id, attempts=attempts, final=failed,
                        error=type(exc).__name__)
            if self._on_failure is not None:
                self._on_failure(failed)
            return
        await self.store.run(_record, row.id, {"attempts": attempts, "status": "sent",
                                               "sent_at": utcnow(), "last_error": None})
        log.info("email_sent", email_id=row.id, kind=row.kind)
