"""The Virtual Clinic's domain events, heard by ``vclinic_on_event`` listeners (ids only).

Emitted by the ProviderActor after its state was saved, one per change, built from the
``virtual_clinic.*`` events it publishes to the requester (:func:`from_effects`). They carry ids
and codes: no requester name, service name or note.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, ClassVar

from vclinic.api import DomainEvent
from vclinic_virtual_clinic import message as m


@dataclasses.dataclass(frozen=True)
class AvailabilityChanged(DomainEvent):
    """A provider became available (``available``) or unavailable to requests."""

    TYPE: ClassVar[str] = "virtual_clinic.availability_changed"
    org_id: str
    provider_id: str
    available: bool


@dataclasses.dataclass(frozen=True)
class RequestEvent(DomainEvent):
    """Base of the session-request events: which request, of whom, to which provider."""

    org_id: str
    provider_id: str
    request_id: str
    requester_id: str


@dataclasses.dataclass(frozen=True)
class RequestCreated(RequestEvent):
    TYPE: ClassVar[str] = "virtual_clinic.request_created"


@dataclasses.dataclass(frozen=True)
class RequestAccepted(RequestEvent):
    """The provider accepted: ``session_id`` is the session created for it."""

    TYPE: ClassVar[str] = "virtual_clinic.request_accepted"
    session_id: str | None = None


@dataclasses.dataclass(frozen=True)
class RequestDeclined(RequestEvent):
    """Declined by the provider or because they went unavailable (``reason``, a code)."""

    TYPE: ClassVar[str] = "virtual_clinic.request_declined"
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class RequestCancelled(RequestEvent):
    TYPE: ClassVar[str] = "virtual_clinic.request_cancelled"


@dataclasses.dataclass(frozen=True)
class RequestDismissed(RequestEvent):
    """The requester dismissed a declined or expired request from their list."""

    TYPE: ClassVar[str] = "virtual_clinic.request_dismissed"


@dataclasses.dataclass(frozen=True)
class RequestExpired(RequestEvent):
    TYPE: ClassVar[str] = "virtual_clinic.request_expired"


_PUBLISHED = {
    "virtual_clinic.request_created": RequestCreated,
    "virtual_clinic.request_accepted": RequestAccepted,
    "virtual_clinic.request_declined": RequestDeclined,
    "virtual_clinic.request_cancelled": RequestCancelled,
    "virtual_clinic.request_dismissed": RequestDismissed,
    "virtual_clinic.request_expired": RequestExpired,
}

#: Every event of the Virtual Clinic, for documentation.
EVENTS: tuple[type[DomainEvent], ...] = (AvailabilityChanged, *_PUBLISHED.values())


def from_effects(org_id: str, effects: Iterable[Any]) -> list[DomainEvent]:
    """The domain events for a command's effects: one per request change (from the copy
    published to the requester) and one per availability change (from the organisation's)."""
    found: list[DomainEvent] = []
    for effect in effects:
        if not isinstance(effect, m.Publish):
            continue
        if effect.type == "virtual_clinic.availability":
            if effect.topic.startswith("virtual_clinic:"):
                found.append(AvailabilityChanged(org_id, effect.data["provider_id"],
                                                 bool(effect.data["available"])))
            continue
        kind = _PUBLISHED.get(effect.type)
        request = effect.data.get("request") or {}
        if kind is None or effect.topic != f"user:{request.get('requester_id')}":
            continue
        ids = (org_id, request["provider_id"], request["id"], request["requester_id"])
        if kind is RequestAccepted:
            found.append(RequestAccepted(*ids, session_id=request.get("session_id")))
        elif kind is RequestDeclined:
            found.append(RequestDeclined(*ids, reason=request.get("reason")))
        else:
            found.append(kind(*ids))
    return found
