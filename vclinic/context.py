"""AppContext: the node's services, built once by the composition root and handed to everyone.

Request handlers reach it through ``vclinic.api.services()``; plugin actor kinds receive it in
``vclinic_register_actor_kinds(services)``; start-up and shutdown hooks receive it as
``app_context``. It lives outside ``vclinic.server`` so that the composition root
(:mod:`vclinic.bootstrap`) builds it without importing the web layer.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import trio

from vclinic.clock import Clock
from vclinic.notifications.notice import Notice

if TYPE_CHECKING:
    from vclinic.accounts import SigninLockout
    from vclinic.actors import ActorRef, EventBus, Registry, Runtime
    from vclinic.config import Settings
    from vclinic.media.service import MediaService
    from vclinic.metrics import Metrics
    from vclinic.notifications.email import Mailer
    from vclinic.notifications.service import Notifications
    from vclinic.plugins import PluginHost
    from vclinic.sessions.service import SessionService
    from vclinic.sessions.timer import Timers
    from vclinic.store import SnapshotStateStore, Store


@dataclasses.dataclass
class AppContext:
    """The node's services, owned by :func:`vclinic.bootstrap.open_context` for the node's life.

    Every field is set by the constructor; nothing is wired afterwards.
    """

    settings: Settings
    store: Store
    plugins: PluginHost
    runtime: Runtime
    metrics: Metrics
    limiter: SigninLockout
    #: The session model (:class:`vclinic.sessions.media.SessionAccess` for the media plane).
    sessions: SessionService
    #: Delivers the email outbox; ``mailer.wake()`` after enqueueing.
    mailer: Mailer
    #: Sends a ``Notice`` through every enabled channel: the bell, email, plugins' channels.
    notifications: Notifications
    #: Delayed one-way messages to actors (request expiry, grace periods).
    timers: Timers
    #: The actors' saved states; ``of_kind(kind)`` lists one kind's.
    snapshots: SnapshotStateStore
    #: The node's media plane (workers, rooms, signalling); it is also the session model's
    #: ``MediaControl``. None when the node runs without media.
    media: MediaService | None = None
    #: What the demo seeding created (printed by ``make run``), or None.
    demo: Any = None
    #: Set when the node begins a graceful shutdown; open WebSockets close with 1001.
    shutting_down: trio.Event = dataclasses.field(default_factory=trio.Event)
    #: What time it is for workflow rules (``clock.now()``, UTC): the real clock; a test gives
    #: the node a :class:`vclinic.clock.ManualClock` to drive time.
    clock: Clock = dataclasses.field(default_factory=Clock)

    @property
    def bus(self) -> EventBus:
        """The node's event bus: ``publish(topic, event)`` reaches every subscriber."""
        return self.runtime.bus

    @property
    def registry(self) -> Registry:
        """The actor registry: ``registry.ref(address)`` finds (and activates) an actor."""
        return self.runtime.registry

    def ref(self, kind: str, actor_id: str) -> ActorRef:
        """The actor ``kind:actor_id`` (activated on its first message)."""
        return self.runtime.registry.ref(f"{kind}:{actor_id}")

    async def notify(self, user_id: str, kind: str, title: str,
                     data: dict[str, Any] | None = None) -> list[str]:
        """Notify ``user_id`` through every enabled channel that reaches a user (the bell,
        pushed to their open tabs; a plugin's channel may reach them too); the names of the
        channels that took it. ``title`` is shown to the user; ``data`` holds ids and a
        ``url``, never patient data. For an email address or a phone, send a ``Notice``
        through :attr:`notifications` instead."""
        return await self.notifications.send(Notice(kind, title, user_id=user_id,
                                                    data=data or {}))
