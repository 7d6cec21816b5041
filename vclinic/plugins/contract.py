"""The values plugins hand to the core through hooks; owned by the plugin host.

Hooks return these (or objects shaped like the ``Protocol`` ones) and :class:`PluginHost` checks
them before the core sees them. The ``Protocol`` types are deliberately loose: the actor runtime,
the store and the notifier own the concrete classes, and a plugin may use those or any object
with the same attributes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

# One migration type for the core and plugins: the store's (an id, a function and a description).
from vclinic.store.migration import Migration

if TYPE_CHECKING:
    from vclinic.server.gateway import Connection
    from vclinic.server.protocol import Inbound

__all__ = ["Migration"]


@dataclasses.dataclass(frozen=True)
class PluginMeta:
    """What a plugin says about itself in ``vclinic plugins`` and in the admin UI."""

    title: str
    description: str = ""


@dataclasses.dataclass(frozen=True)
class PluginInfo:
    """One installed plugin as the host sees it: listed whether or not it is enabled.

    ``source`` says where it came from (``entry point <dist> <version>``, ``directory <path>``
    or ``registered``). ``title`` and ``description`` come from ``vclinic_plugin_info`` and are
    empty for plugins that are not enabled, because those are never imported.
    """

    name: str
    version: str
    enabled: bool
    source: str
    title: str = ""
    description: str = ""


@dataclasses.dataclass(frozen=True)
class DashboardSection:
    """A section of the web UI's dashboard, rendered by a JavaScript module of the plugin.

    ``module_url`` is a same-origin path (``/static/<plugin>/section.js``) of an ES module served
    from one of the plugin's static folders; the UI imports it and calls its default export with
    the section's element. Sections are shown in ascending ``order``, then by ``id``.
    ``page`` is where it goes: ``"dashboard"`` (everyone's dashboard) or ``"admin"`` (the
    admin pages, ``/admin``, for the organisation's settings a workflow owns).
    """

    id: str
    title: str
    module_url: str
    order: int = 100
    page: str = "dashboard"


@dataclasses.dataclass(frozen=True)
class JoinDecision:
    """A join policy's verdict on one principal joining one session.

    ``code`` and ``message`` are shown to the person refused (``"provider_not_clocked_in"``,
    ``"Your provider has not started the clinic yet."``); they must not carry patient data.
    """

    allowed: bool
    code: str = ""
    message: str = ""

    @classmethod
    def allow(cls) -> JoinDecision:
        """Let the principal join, skipping any later policy."""
        return cls(allowed=True)

    @classmethod
    def deny(cls, code: str, message: str) -> JoinDecision:
        """Refuse the join with a reason the person can act on."""
        return cls(allowed=False, code=code, message=message)


@dataclasses.dataclass(frozen=True)
class CallPage:
    """What a workflow's session does on the core call page for one person (from
    ``vclinic_call_page``). Every field is optional; empty keeps the call page's default.

    - ``hang_up_confirm``: asked (OK/Cancel) before Hang Up goes ahead.
    - ``hang_up_path``: an API path under ``/api/v1`` (``/visits/<id>/end``) that Hang Up POSTs
      to once confirmed, ending the workflow's session instead of only leaving; its JSON answer
      may carry a ``message`` shown as the ended page's title.
    - ``ended_title`` / ``ended_text``: the ended page's words after Hang Up.
    - ``guest_left_notice``: shown to this person when a guest participant leaves the call.

    The texts are shown as they are (no HTML) and must not carry patient data.
    """

    hang_up_confirm: str = ""
    hang_up_path: str = ""
    ended_title: str = ""
    ended_text: str = ""
    guest_left_notice: str = ""

    def as_json(self) -> dict[str, str]:
        """The non-empty fields, as ``session.enter`` answers them in ``call_page``."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v}


#: A WebSocket message handler: ``await handler(connection, message)`` returns the reply body
#: to send back (``None`` for an empty reply). ``connection`` is the gateway's per-socket
#: :class:`vclinic.server.gateway.Connection`; ``message`` a validated
#: :class:`vclinic.server.protocol.Inbound` (``type``, ``txn``, ``data``).
WsHandler: TypeAlias = "Callable[[Connection, Inbound], Awaitable[dict[str, Any] | None]]"


#: Restarts of one actor kind's actors its supervisor allows within :data:`DEFAULT_KIND_PERIOD`
#: seconds, when the kind does not say.
DEFAULT_KIND_INTENSITY = 10
DEFAULT_KIND_PERIOD = 10.0


def kind_intensity(kind: ActorKind) -> tuple[int, float]:
    """The ``(intensity, period)`` an actor kind declares, or the defaults."""
    return (getattr(kind, "intensity", DEFAULT_KIND_INTENSITY),
            getattr(kind, "period", DEFAULT_KIND_PERIOD))


@runtime_checkable
class ActorKind(Protocol):
    """A kind of actor a plugin adds; the core's supervisor starts and restarts its actors.

    ``factory`` builds the actor for an id; ``mailbox_size`` bounds its mailbox; ``restart`` is
    ``"permanent"``, ``"transient"`` or ``"temporary"``. Plugins never get a nursery.

    Optional attributes: ``intensity`` (default :data:`DEFAULT_KIND_INTENSITY`) and ``period``
    (default :data:`DEFAULT_KIND_PERIOD` seconds): more than ``intensity`` crashes of this kind's
    actors within ``period`` seconds make the kind's supervisor escalate, and the root restarts
    every actor of the kind.
    """

    # Read-only properties, so that a frozen dataclass satisfies the protocol.
    @property
    def kind(self) -> str: ...

    @property
    def factory(self) -> Callable[..., Any]: ...

    @property
    def mailbox_size(self) -> int: ...

    @property
    def restart(self) -> str: ...


@runtime_checkable
class NotificationChannel(Protocol):
    """A way to deliver notifications (email, SMS, bell...), named by ``name``.

    The notifications service (:mod:`vclinic.notifications.service`) hands every notice to every
    channel; a channel delivers those it can reach and ignores the rest.
    """

    name: str

    async def send(self, notification: Any) -> None:
        """Deliver one :class:`~vclinic.notifications.notice.Notice`; raising makes the
        notifications service retry it later."""
        ...
