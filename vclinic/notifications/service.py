"""The notifications service: sends a notice through every enabled channel; owned by bootstrap.

One per node, built by the composition root from ``PluginHost.notification_channels()`` (the
core's bell and email, offered by the built-in plugin ``notifications``, and every enabled
plugin's channels). :meth:`Notifications.send` hands the notice to each channel in turn, in
the caller's task; each channel delivers what it can reach (the bell a ``user_id``, email an
``email`` address, a plugin's SMS channel a ``phone``) and ignores the rest.

A channel that raises does not stop the others: the failure is logged (channel name, notice
kind and the error's class, never the notice's text) and the delivery is queued for the
service's retry task (:meth:`run`, a permanent child of the root supervisor), which tries again
after ``retry_seconds``, doubled per attempt, until ``attempts`` deliveries failed. The retry
queue holds :data:`RETRY_BUFFER` deliveries; when it is full a failed delivery is dropped and
logged (``notification_dropped``). Retries live in memory: email has its own outbox and retries
that survive a restart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import trio

from vclinic.errors import BadRequest
from vclinic.log import get_logger
from vclinic.notifications.notice import Notice
from vclinic.plugins.contract import NotificationChannel

log = get_logger("notifications.service")

#: Failed deliveries waiting for a retry, at most.
RETRY_BUFFER = 256
_SENT, _FAILED, _DROPPED = range(3)


@dataclass(frozen=True)
class ChannelStatistics:
    """One channel's deliveries since start."""

    name: str
    sent: int  #: deliveries the channel accepted
    failed: int  #: deliveries that raised (each retry counts)
    dropped: int  #: deliveries given up: out of attempts, or the retry queue was full


@dataclass(frozen=True)
class NotificationStatistics:
    """A snapshot of the service, as returned by ``Notifications.statistics()``."""

    sent: int  #: deliveries a channel accepted
    failed: int  #: deliveries that raised (each retry counts)
    dropped: int  #: deliveries given up: out of attempts, or the retry queue was full
    retrying: int  #: deliveries waiting for a retry
    channels: tuple[ChannelStatistics, ...] = ()


@dataclass(frozen=True)
class _Retry:
    channel: NotificationChannel
    notice: Notice
    attempt: int
    due: float


class Notifications:
    """Fans a notice out to the enabled channels; see the module docstring."""

    def __init__(self, channels: Iterable[NotificationChannel], *, attempts: int = 3,
                 retry_seconds: float = 5.0) -> None:
        self.channels: dict[str, NotificationChannel] = {c.name: c for c in channels}
        self.attempts = attempts
        self.retry_seconds = retry_seconds
        self._retry_send, self._retry_receive = trio.open_memory_channel[_Retry](RETRY_BUFFER)
        self._counts: dict[str, list[int]] = {name: [0, 0, 0] for name in self.channels}

    async def send(self, notice: Notice) -> list[str]:
        """Deliver ``notice`` through every enabled channel (or those it names); the names of
        the channels that accepted it now. A named channel that is not enabled is refused."""
        names = list(self.channels) if notice.channels is None else list(notice.channels)
        unknown = [n for n in names if n not in self.channels]
        if unknown:
            raise BadRequest("No notification channel is enabled under this name.",
                             code="unknown_channel", channels=unknown)
        delivered = []
        for name in names:
            if await self._deliver(self.channels[name], notice, 1):
                delivered.append(name)
        return delivered

    async def _deliver(self, channel: NotificationChannel, notice: Notice, attempt: int) -> bool:
        try:
            await channel.send(notice)
        except Exception as exc:  # a channel's failure must not stop the others
            self._count(channel, _FAILED)
            log.warning("notification_failed", channel=channel.name, kind=notice.kind,
                        attempt=attempt, error=type(exc).__name__)
            self._retry(channel, notice, attempt)
            return False
        self._count(channel, _SENT)
        return True

    def _count(self, channel: NotificationChannel, what: int) -> None:
        self._counts.setdefault(channel.name, [0, 0, 0])[what] += 1

    def _retry(self, channel: NotificationChannel, notice: Notice, attempt: int) -> None:
        if attempt >= self.attempts:
            self._count(channel, _DROPPED)
            log.error("notification_given_up", channel=channel.name, kind=notice.kind,
                      attempts=attempt)
            return
        due = trio.current_time() + self.retry_seconds * 2 ** (attempt - 1)
        try:
            self._retry_send.send_nowait(_Retry(channel, notice, attempt + 1, due))
        except trio.WouldBlock:
            self._count(channel, _DROPPED)
            log.error("notification_dropped", channel=channel.name, kind=notice.kind)

    async def run(self) -> None:
        """Retry failed deliveries until cancelled; a permanent child of the root supervisor."""
        async for retry in self._retry_receive:
            await trio.sleep_until(retry.due)
            await self._deliver(retry.channel, retry.notice, retry.attempt)

    def statistics(self) -> NotificationStatistics:
        """Deliveries sent, failed and given up, overall and per channel, and retries waiting."""
        channels = tuple(ChannelStatistics(name, *counts)
                         for name, counts in sorted(self._counts.items()))
        return NotificationStatistics(
            sent=sum(c.sent for c in channels), failed=sum(c.failed for c in channels),
            dropped=sum(c.dropped for c in channels),
            retrying=self._retry_receive.statistics().current_buffer_used, channels=channels,
        )


__all__ = ["ChannelStatistics", "Notice", "NotificationStatistics", "Notifications"]
