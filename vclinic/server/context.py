"""AppContext: everything a request handler may use, built once by the composition root."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import trio

if TYPE_CHECKING:
    from vclinic.accounts import SigninLimiter
    from vclinic.actors import Runtime
    from vclinic.config import Settings
    from vclinic.media.service import MediaService
    from vclinic.notifications.email import Mailer
    from vclinic.notifications.service import Notifications
    from vclinic.plugins import PluginHost
    from vclinic.server.metrics import Metrics
    from vclinic.sessions.service import SessionService
    from vclinic.store import Store


@dataclasses.dataclass
class AppContext:
    """The node's services, owned by :func:`vclinic.bootstrap.open_context` for the node's life."""

    settings: Settings
    store: Store
    plugins: PluginHost
    runtime: Runtime
    metrics: Metrics
    limiter: SigninLimiter
    #: The session model (:class:`vclinic.sessions.media.SessionAccess` for the media plane).
    sessions: SessionService
    #: Delivers the email outbox; ``mailer.wake()`` after enqueueing.
    mailer: Mailer
    #: Sends a ``Notice`` through every enabled channel (the bell, email, plugins' channels).
    notifications: Notifications
    #: The node's media plane (workers, rooms, signalling); it is also the session model's
    #: ``MediaControl``. None when the node runs without media.
    media: MediaService | None = None
    #: What the demo seeding created (printed by ``make run``), or None.
    demo: Any = None
    #: Set when the node begins a graceful shutdown; open WebSockets close with 1001.
    shutting_down: trio.Event = dataclasses.field(default_factory=trio.Event)
