"""The core's notification channels, the bell and email, and the built-in plugin offering them.

They are registered with the plugin host exactly as a plugin's SMS channel would be: the
composition root registers :class:`CoreChannels` (a plugin object with
``vclinic_notification_channels``) as the built-in plugin ``notifications``, and the
notifications service gets every channel from ``PluginHost.notification_channels()``.
"""

from __future__ import annotations

from vclinic.actors import EventBus
from vclinic.notifications import notify
from vclinic.notifications.email import Mailer, enqueue
from vclinic.notifications.notice import Notice
from vclinic.plugins.contract import NotificationChannel
from vclinic.plugins.hookspecs import hookimpl
from vclinic.store import Store


class BellChannel:
    """The in-portal bell: stores the notice for ``user_id`` and pushes it to their open tabs."""

    name = "bell"

    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus

    async def send(self, notification: Notice) -> None:
        if notification.user_id is None:
            return
        await notify(self.store, self.bus, notification.user_id, notification.kind,
                     notification.title, dict(notification.data))


class EmailChannel:
    """Email: puts the notice for ``email`` in the outbox and wakes the Mailer, which sends it
    with retries (``vclinic.notifications.email``)."""

    name = "email"

    def __init__(self, store: Store, mailer: Mailer) -> None:
        self.store = store
        self.mailer = mailer

    async def send(self, notification: Notice) -> None:
        address = notification.email
        if address is None:
            return
        await self.store.atomic(lambda: enqueue(
            address, notification.title, notification.body or notification.title,
            kind=notification.kind, attachments=notification.attachments))
        self.mailer.wake()


class CoreChannels:
    """The built-in plugin ``notifications``: offers the bell and email channels."""

    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self, store: Store, bus: EventBus, mailer: Mailer) -> None:
        self.channels: list[NotificationChannel] = [BellChannel(store, bus),
                                                    EmailChannel(store, mailer)]

    @hookimpl
    def vclinic_notification_channels(self) -> list[NotificationChannel]:
        return list(self.channels)
