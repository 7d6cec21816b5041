"""The messages a ConferenceActor (``conference:<event id>``) handles: frozen dataclasses."""

from __future__ import annotations

import dataclasses
from typing import Any

from vclinic.api import Principal


@dataclasses.dataclass(frozen=True)
class Change:
    """The organiser changes the title, start and/or duration (``minutes``)."""

    principal: Principal
    changes: tuple[tuple[str, Any], ...]
    base_url: str


@dataclasses.dataclass(frozen=True)
class Cancel:
    """Cancel Conference, by the organiser or an admin."""

    principal: Principal
    base_url: str


@dataclasses.dataclass(frozen=True)
class FollowPatient:
    """A patient followed their own link: their guest participant (made once) and cookie."""

    member_id: str


Command = Change | Cancel | FollowPatient
