"""Domain events: what happened to a session, handed to plugins' ``vclinic_on_event`` listeners.

Owned by the core. The session actor (and the session service, for a new session) emits these
through :meth:`vclinic.plugins.PluginHost.emit` after the change was stored, one call per event,
in the order things happened. Each is a frozen dataclass of ids and codes, never a name, email
or free text: a listener may log or forward it as it is. ``TYPE`` is the same dotted name the
``/ws`` events use. Workflow plugins add events of their own (documented in
``docs/plugins.md``), built the same way.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """Base of every event a listener receives; ``TYPE`` names it (``"session.created"``)."""

    TYPE: ClassVar[str] = ""


@dataclasses.dataclass(frozen=True)
class SessionCreated(DomainEvent):
    """A session was created; ``workflow`` is the plugin it belongs to (``"sessions"``,
    ``"on_demand"``, ``"virtual_clinic"``), ``created_by`` the creating user's id."""

    TYPE: ClassVar[str] = "session.created"
    session_id: str
    org_id: str
    workflow: str
    created_by: str | None


@dataclasses.dataclass(frozen=True)
class ParticipantJoined(DomainEvent):
    """A participant entered the session (not a reconnection); ``kind`` is ``practice``,
    ``guest`` or ``station``, ``role`` ``chair``, ``broadcaster`` or ``viewer``."""

    TYPE: ClassVar[str] = "session.participant_joined"
    session_id: str
    participant_id: str
    role: str
    kind: str


@dataclasses.dataclass(frozen=True)
class ParticipantLeft(DomainEvent):
    """A participant who was in the session left it: hung up, did not come back within the
    grace period, or was removed (then :class:`ParticipantRemoved` came first). Closing a
    session sends :class:`SessionClosed` instead of one of these per participant."""

    TYPE: ClassVar[str] = "session.participant_left"
    session_id: str
    participant_id: str


@dataclasses.dataclass(frozen=True)
class ParticipantRemoved(DomainEvent):
    """A chair took a participant off the session's list (``reason``: ``removed_by_chair``)."""

    TYPE: ClassVar[str] = "session.participant_removed"
    session_id: str
    participant_id: str
    reason: str


@dataclasses.dataclass(frozen=True)
class ParticipantRoleChanged(DomainEvent):
    """A participant's role changed to ``role`` (``chair``, ``broadcaster`` or ``viewer``)."""

    TYPE: ClassVar[str] = "session.participant_role_changed"
    session_id: str
    participant_id: str
    role: str


@dataclasses.dataclass(frozen=True)
class RecordingStarted(DomainEvent):
    """Recording began; ``started_by`` is the participant id of the chair who started it."""

    TYPE: ClassVar[str] = "session.recording_started"
    session_id: str
    recording_id: str
    started_by: str | None


@dataclasses.dataclass(frozen=True)
class RecordingStopped(DomainEvent):
    """Recording ended and its files were stored; ``complete`` is False when it was cut short
    (the media plane failed); ``reason`` is a code (``stopped_by_chair``, ``session_closed``,
    ``media_failed``, ``node_shutdown``...)."""

    TYPE: ClassVar[str] = "session.recording_stopped"
    session_id: str
    recording_id: str
    reason: str
    complete: bool


@dataclasses.dataclass(frozen=True)
class SessionClosed(DomainEvent):
    """The session ended; nobody can join it any more."""

    TYPE: ClassVar[str] = "session.closed"
    session_id: str


#: Every session event, for documentation and for listeners that match on type.
SESSION_EVENTS: tuple[type[DomainEvent], ...] = (
    SessionCreated, ParticipantJoined, ParticipantLeft, ParticipantRemoved, ParticipantRoleChanged,
    RecordingStarted, RecordingStopped, SessionClosed,
)
