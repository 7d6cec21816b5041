"""vclinic.api: the one public door of the core for workflow plugins.

A plugin imports from here (and its own package) and nothing else of ``vclinic``;
``tests/plugins/test_facade_only.py`` fails when a bundled plugin does. Everything here is
typed and stays compatible within a major :data:`PLUGIN_API_VERSION`.

- Hooks: :data:`hookimpl` and the values hooks return (:class:`ActorKind`, :class:`CallPage`,
  :class:`DashboardSection`, :class:`JoinDecision`, :class:`Migration`,
  :class:`NotificationChannel`, :class:`PluginMeta`, :data:`WsHandler`).
- Routes: guards (:func:`require`, :func:`require_signin`, :func:`require_staff`,
  :func:`require_admin`, :func:`require_station`), :func:`current_principal`,
  :func:`services` and :func:`set_session_cookie` (in :mod:`vclinic.api.web`).
- The node's services, :class:`AppContext` (also :data:`NodeServices`): the :class:`Store`, the
  :class:`SessionService` (sessions, links, guests), notifications (:class:`Notifications`
  sending a :class:`Notice` through every channel; ``notify`` for a user's bell), the
  :class:`Timers` and the event bus, the :class:`Clock` (``services.clock.now()``; tests give
  the node a :class:`ManualClock`), the actor registry and saved actor states. Actor kinds
  receive it in ``vclinic_register_actor_kinds(services)``.
- Actors: :class:`Actor`, :class:`ActorContext`, :class:`Address`, :class:`ActorRef`.
- Data: :class:`BaseModel` and the fields, the core's records a workflow reads
  (:class:`Organisation`, :class:`User`, :class:`UserRole`, :class:`Service`), :func:`utcnow`,
  :func:`enqueue_email`, :mod:`audit` (``audit.record(...)`` inside the change's
  transaction); the session model's records are in :mod:`vclinic.api.records`.
- ``/ws`` handlers: :class:`Connection` and the validated :class:`Inbound` message.
- Errors plugins raise (mapped to HTTP status codes and ``{"error": {...}}`` bodies), ids,
  :func:`get_logger` and the domain events (:class:`DomainEvent` and the session events of
  :mod:`vclinic.events`) that ``vclinic_on_event`` listeners receive.

See docs/plugins.md.
"""

from __future__ import annotations

from vclinic import PLUGIN_API_VERSION
from vclinic.accounts import Principal
from vclinic.actors import Actor, ActorContext, ActorRef, Address, EventBus, Registry
from vclinic.api.web import (
    SESSION_COOKIE,
    STAFF_ROLES,
    current_principal,
    link_base,
    origin_allowed,
    require,
    require_admin,
    require_signin,
    require_staff,
    require_station,
    services,
    set_session_cookie,
)
from vclinic.clock import Clock, ManualClock
from vclinic.context import AppContext
from vclinic.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unavailable,
    VclinicError,
)
from vclinic.events import (
    DomainEvent,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantRemoved,
    ParticipantRoleChanged,
    RecordingStarted,
    RecordingStopped,
    SessionClosed,
    SessionCreated,
)
from vclinic.ids import new_id, new_token, token_hash
from vclinic.log import get_logger
from vclinic.notifications.email import enqueue as enqueue_email
from vclinic.notifications.notice import Notice
from vclinic.notifications.service import Notifications
from vclinic.plugins import (
    ActorKind,
    CallPage,
    DashboardSection,
    JoinDecision,
    Migration,
    NotificationChannel,
    PluginMeta,
    WsHandler,
    hookimpl,
)
from vclinic.server.gateway import Connection
from vclinic.server.protocol import Inbound
from vclinic.sessions.creation import NewSession
from vclinic.sessions.service import SessionRef, SessionService
from vclinic.sessions.timer import Timers
from vclinic.store import (
    BaseModel,
    JSONTextField,
    Organisation,
    Service,
    Store,
    User,
    UserRole,
    UTCDateTimeField,
    audit,
    utcnow,
)

#: The node's services as actor kinds receive them (the same object as :class:`AppContext`).
NodeServices = AppContext

__all__ = [
    "PLUGIN_API_VERSION",
    "SESSION_COOKIE",
    "STAFF_ROLES",
    "Actor",
    "ActorContext",
    "ActorKind",
    "ActorRef",
    "Address",
    "AppContext",
    "BadRequest",
    "BaseModel",
    "CallPage",
    "Clock",
    "Conflict",
    "Connection",
    "DashboardSection",
    "DomainEvent",
    "EventBus",
    "Forbidden",
    "Gone",
    "Inbound",
    "JSONTextField",
    "JoinDecision",
    "ManualClock",
    "Migration",
    "NewSession",
    "NodeServices",
    "NotFound",
    "Notice",
    "NotificationChannel",
    "Notifications",
    "Organisation",
    "ParticipantJoined",
    "ParticipantLeft",
    "ParticipantRemoved",
    "ParticipantRoleChanged",
    "PayloadTooLarge",
    "PluginMeta",
    "Principal",
    "RateLimited",
    "RecordingStarted",
    "RecordingStopped",
    "Registry",
    "Service",
    "SessionClosed",
    "SessionCreated",
    "SessionRef",
    "SessionService",
    "Store",
    "Timers",
    "UTCDateTimeField",
    "Unauthorized",
    "Unavailable",
    "User",
    "UserRole",
    "VclinicError",
    "WsHandler",
    "audit",
    "current_principal",
    "enqueue_email",
    "get_logger",
    "hookimpl",
    "link_base",
    "new_id",
    "new_token",
    "origin_allowed",
    "require",
    "require_admin",
    "require_signin",
    "require_staff",
    "require_station",
    "services",
    "set_session_cookie",
    "token_hash",
    "utcnow",
]
