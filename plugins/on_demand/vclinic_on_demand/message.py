"""Messages of the QueueActor (``queue:<organisation id>``): commands are verbs, all frozen
dataclasses of ids and plain values so that they can cross nodes."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Open:
    """A patient entered the setup guide: they join the queue now, claimable at once."""

    request_id: str
    name: str
    email: str
    token_hash: str


@dataclasses.dataclass(frozen=True)
class Answer:
    """Save intake answers (already checked against the organisation's fields)."""

    request_id: str
    answers: tuple[tuple[str, Any], ...]


@dataclasses.dataclass(frozen=True)
class Complete:
    """The patient finished the setup guide; unclaimed, they now wait in the waiting room.
    ``missing`` are the required fields still unanswered (the caller checked the form)."""

    request_id: str
    required: tuple[str, ...]
    consents: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Connect:
    """The patient's page opened its socket (cancels a running grace period)."""

    request_id: str
    connection_id: str


@dataclasses.dataclass(frozen=True)
class Disconnect:
    """The patient's page closed its socket: the grace period starts."""

    request_id: str
    connection_id: str


@dataclasses.dataclass(frozen=True)
class GraceExpired:
    """A grace period ended; ``epoch`` tells a stale timer from the current one."""

    request_id: str
    epoch: int


@dataclasses.dataclass(frozen=True)
class Leave:
    """The patient left the queue on purpose."""

    request_id: str


@dataclasses.dataclass(frozen=True)
class Listing:
    """Everyone in the queue, longest wait first: ``limit`` entries from ``offset``."""

    offset: int
    limit: int


@dataclasses.dataclass(frozen=True)
class Status:
    """What the patient's page shows: status, position, wait estimate, the call to join."""

    request_id: str


@dataclasses.dataclass(frozen=True)
class Claim:
    """Claim a request: a session is created with the claimer as chair and the patient as a
    guest. Exactly one of several concurrent claims wins."""

    request_id: str
    user_id: str
    is_admin: bool


@dataclasses.dataclass(frozen=True)
class Assign:
    """An admin assigns a request to an On-Call provider, who is notified."""

    request_id: str
    provider_id: str
    by: str


@dataclasses.dataclass(frozen=True)
class Decline:
    """An admin declines a request: the patient is emailed (and told under the bell if they
    have an account) and their waiting page says so."""

    request_id: str
    by: str


@dataclasses.dataclass(frozen=True)
class Recover:
    """Wake the queue after a node restart so that it re-arms its grace periods."""
