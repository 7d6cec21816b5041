"""The ``sms_log`` notification channel shipped for development: for every notice with a
``phone`` it logs that a text went out, with ids only (never the number or the text). A
deployment plugs a real provider in with its own channel, from a plugin, that reaches ``phone``;
this one keeps logging the ids. See docs/workflows/public_conference.md."""

from __future__ import annotations

from typing import Any

from vclinic.api import get_logger

log = get_logger("vclinic.public_conference.sms")


class LogSms:
    """Delivers notices that name a ``phone`` by logging their kind and ids."""

    name = "sms_log"

    async def send(self, notification: Any) -> None:
        if not notification.phone:
            return
        data = notification.data or {}
        log.info("sms.logged", kind=notification.kind, event_id=data.get("event_id"),
                 member_id=data.get("member_id"))
