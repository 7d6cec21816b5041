"""The messages a VisitActor (``visit:<visit id>``) handles: commands as frozen dataclasses.

Every command carries the ids of who asks; the actor checks them against the visit's row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from vclinic.api import Principal


@dataclasses.dataclass(frozen=True)
class Invite:
    """Send invite to client (``email=True``) or Copy invite link: creates the session."""

    principal: Principal
    base_url: str
    email: bool


@dataclasses.dataclass(frozen=True)
class Change:
    """An admin reschedules and/or reassigns the visit."""

    principal: Principal
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    employee_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Cancel:
    principal: Principal


@dataclasses.dataclass(frozen=True)
class ClockIn:
    principal: Principal


@dataclasses.dataclass(frozen=True)
class ClockOut:
    principal: Principal
    #: The employee saw the warning that the virtual session is still active.
    confirm: bool = False


@dataclasses.dataclass(frozen=True)
class Join:
    """Join video session: the employee's way into the visit's session."""

    principal: Principal


@dataclasses.dataclass(frozen=True)
class End:
    """The employee hangs up for good: the virtual session is over."""

    principal: Principal


@dataclasses.dataclass(frozen=True)
class Follow:
    """Someone followed an invite link of ``generation``: the client (``as_guest``) gets their
    guest's cookie; a signed-in colleague of the organisation only the session."""

    generation: int
    as_guest: bool = True


Command = Invite | Change | Cancel | ClockIn | ClockOut | Join | End | Follow
