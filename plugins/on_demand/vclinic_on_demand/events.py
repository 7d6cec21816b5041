"""The On-Demand queue's domain events, heard by ``vclinic_on_event`` listeners (ids only).

Emitted by the QueueActor after the change was stored, one per change. They carry ids, codes and
numbers: never the patient's name, email or intake answers.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from vclinic.api import DomainEvent


@dataclasses.dataclass(frozen=True)
class RequestEvent(DomainEvent):
    """Base of the queue's events: which request, in which organisation's queue."""

    org_id: str
    request_id: str


@dataclasses.dataclass(frozen=True)
class RequestOpened(RequestEvent):
    """A patient asked to be seen; the intake questions follow."""

    TYPE: ClassVar[str] = "on_demand.request_opened"


@dataclasses.dataclass(frozen=True)
class IntakeCompleted(RequestEvent):
    """The patient answered the intake: the request now waits for a provider."""

    TYPE: ClassVar[str] = "on_demand.intake_completed"


@dataclasses.dataclass(frozen=True)
class RequestAssigned(RequestEvent):
    """An admin assigned the request to ``provider_id``."""

    TYPE: ClassVar[str] = "on_demand.request_assigned"
    provider_id: str


@dataclasses.dataclass(frozen=True)
class RequestClaimed(RequestEvent):
    """``provider_id`` claimed the request: ``session_id`` was created for the visit, the
    patient is its guest ``participant_id``; ``wait_seconds`` is how long they waited."""

    TYPE: ClassVar[str] = "on_demand.request_claimed"
    provider_id: str
    session_id: str
    participant_id: str
    wait_seconds: float


@dataclasses.dataclass(frozen=True)
class RequestDeclined(RequestEvent):
    """``by`` (a user id) declined the request; the patient was emailed."""

    TYPE: ClassVar[str] = "on_demand.request_declined"
    by: str | None


@dataclasses.dataclass(frozen=True)
class RequestEnded(RequestEvent):
    """The request left the queue without a visit: ``outcome`` is ``left`` (the patient
    cancelled, or did not come back within the grace period) or another code of the queue."""

    TYPE: ClassVar[str] = "on_demand.request_ended"
    outcome: str


#: Every event of the On-Demand queue, for documentation.
EVENTS: tuple[type[DomainEvent], ...] = (RequestOpened, IntakeCompleted, RequestAssigned,
                                         RequestClaimed, RequestDeclined, RequestEnded)
