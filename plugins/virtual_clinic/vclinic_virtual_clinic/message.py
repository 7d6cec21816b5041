"""Messages of the ProviderActor (``provider:<user_id>``): commands it handles and the events
it publishes to the ``user:<id>`` topics of the provider and of requesters.

Commands are verbs, frozen dataclasses of ids and values (they may cross nodes). Times are wall
clock seconds since the epoch, filled in by the sender, so that deadlines survive a restart and
:class:`ProviderState` stays free of clocks.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class SetAvailability:
    """The provider toggled "I Am Available / Unavailable for Sessions"."""

    org_id: str
    provider_name: str
    available: bool
    now: float


@dataclasses.dataclass(frozen=True)
class RequestSession:
    """A requester clicked "Request Session Now" under the provider's name."""

    request_id: str
    org_id: str
    provider_name: str
    requester_id: str
    requester_name: str
    service_id: str | None
    service_name: str | None
    now: float
    expires_at: float


@dataclasses.dataclass(frozen=True)
class Accept:
    """The provider clicked "Accept" (``enter=False``) or "Accept and Enter"."""

    request_id: str
    enter: bool
    now: float


@dataclasses.dataclass(frozen=True)
class Decline:
    request_id: str
    note: str | None
    now: float


@dataclasses.dataclass(frozen=True)
class Cancel:
    """The requester withdrew their pending request."""

    request_id: str
    requester_id: str
    now: float


@dataclasses.dataclass(frozen=True)
class Dismiss:
    """The requester cleared a declined (or expired) request from their dashboard."""

    request_id: str
    requester_id: str


@dataclasses.dataclass(frozen=True)
class Expire:
    """A request's deadline passed (sent by the node's timers); ignored if it is not due."""

    request_id: str
    now: float


@dataclasses.dataclass(frozen=True)
class Status:
    """Ask for availability and requests; ``requester_id`` limits requests to theirs."""

    requester_id: str | None = None


Command = (SetAvailability | RequestSession | Accept | Decline | Cancel | Dismiss | Expire
           | Status)


@dataclasses.dataclass(frozen=True)
class Publish:
    """An event for the bus: ``topic`` is ``user:<id>`` or ``virtual_clinic:<org_id>``."""

    topic: str
    type: str
    data: dict[str, Any]

    def wire(self) -> dict[str, Any]:
        return {"type": self.type, "data": self.data}


@dataclasses.dataclass(frozen=True)
class ArmExpiry:
    """Effect: deliver :class:`Expire` for ``request_id`` at ``deadline``."""

    request_id: str
    deadline: float
