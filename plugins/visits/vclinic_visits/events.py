"""The Visits domain events, heard by ``vclinic_on_event`` listeners (ids and codes only).

Emitted by the VisitActor after the change was stored, one per change. No client name, email
or address: a listener that needs more reads it with the ids.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from vclinic.api import DomainEvent


@dataclasses.dataclass(frozen=True)
class VisitEvent(DomainEvent):
    """Base of the visit events: which visit of which organisation, by whom."""

    org_id: str
    visit_id: str
    by: str


@dataclasses.dataclass(frozen=True)
class InviteSent(VisitEvent):
    """The employee emailed (``emailed``) or copied the invite link; ``session_id`` is the
    visit's virtual session."""

    TYPE: ClassVar[str] = "visits.invite_sent"
    session_id: str
    emailed: bool


@dataclasses.dataclass(frozen=True)
class VisitChanged(VisitEvent):
    """An admin rescheduled (``retimed``) and/or reassigned the visit; older links stopped
    working."""

    TYPE: ClassVar[str] = "visits.visit_changed"
    retimed: bool
    employee_id: str


@dataclasses.dataclass(frozen=True)
class VisitCancelled(VisitEvent):
    TYPE: ClassVar[str] = "visits.visit_cancelled"


@dataclasses.dataclass(frozen=True)
class ClockedIn(VisitEvent):
    TYPE: ClassVar[str] = "visits.clocked_in"


@dataclasses.dataclass(frozen=True)
class ClockedOut(VisitEvent):
    TYPE: ClassVar[str] = "visits.clocked_out"


@dataclasses.dataclass(frozen=True)
class SessionEnded(VisitEvent):
    """The employee ended the visit's virtual session (``reason``: ``hang_up``, ``clock_out``);
    no new one opens for the visit."""

    TYPE: ClassVar[str] = "visits.session_ended"
    session_id: str
    reason: str
