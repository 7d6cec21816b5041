"""The ``sms`` notification channel shipped for development: it writes that an SMS would go
out, with ids only (never the number or the text). A deployment plugs a real provider in by
registering its own channel named ``sms`` from a plugin (and disabling this one); see
docs/workflows/public_conference.md."""

from __future__ import annotations

from typing import Any

from vclinic.api import get_logger

log = get_logger("vclinic.public_conference.sms")


class LogSms:
    """Delivers notices that name a ``phone`` by logging their kind and ids."""

    name = "sms"

    async def send(self, notification: Any) -> None:
        if not notification.phone:
            return
        data = notification.data or {}
        log.info("sms.sent", kind=notification.kind, event_id=data.get("event_id"),
                 member_id=data.get("member_id"))
