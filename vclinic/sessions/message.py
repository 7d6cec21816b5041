"""Messages of the SessionActor: commands it handles, events it emits and effects it performs.

Commands are verbs, events past tense, all frozen dataclasses of ids and values so that they can
cross nodes. ``Event.wire()`` gives what is published on the bus topic ``session:<id>`` (the shape
in docs/protocol.md, "Sessions"); effects (media, timers, notifications) are not published.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

# Commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Enter:
    """A connection enters the session live (``session.enter``)."""

    connection_id: str
    org_id: str | None
    user_id: str | None
    guest_participant_id: str | None
    display_name: str
    #: Id for the participant created when an unlisted colleague enters.
    new_participant_id: str
    #: The participant's answer to recording consent, when they gave one on entering.
    consent_recording: bool | None = None
    #: The user is a requester station: not a colleague, so only a session that lists it (a
    #: Virtual Clinic session) may be entered, as the REST API shows it no other.
    station: bool = False


@dataclasses.dataclass(frozen=True)
class AddGuest:
    """Someone who followed the session link and gave a display name becomes a guest."""

    participant_id: str
    display_name: str


@dataclasses.dataclass(frozen=True)
class Leave:
    """The participant hung up (``session.leave``)."""

    connection_id: str
    participant_id: str


@dataclasses.dataclass(frozen=True)
class Disconnect:
    """A connection that had entered closed; the participant may come back within the grace."""

    connection_id: str
    participant_id: str


@dataclasses.dataclass(frozen=True)
class GraceExpired:
    """The grace period of a reconnecting participant ended (sent by the timer)."""

    participant_id: str
    epoch: int


@dataclasses.dataclass(frozen=True)
class Invitee:
    """A practice user to put on the participants list."""

    user_id: str
    display_name: str
    role: str = "broadcaster"
    #: A requester station (a Virtual Clinic room's device): not a colleague, so it may only
    #: stay on a list that already has it, with the role it has.
    station: bool = False
    #: Id for the participant created when this user is not in the session yet (made by the
    #: sender, so that the state makes no ids).
    new_participant_id: str = dataclasses.field(kw_only=True)


@dataclasses.dataclass(frozen=True)
class AddParticipants:
    by_user_id: str | None
    invitees: tuple[Invitee, ...]


@dataclasses.dataclass(frozen=True)
class ChangeRole:
    by_user_id: str | None
    participant_id: str
    role: str


@dataclasses.dataclass(frozen=True)
class RemoveParticipant:
    by_user_id: str | None
    participant_id: str


@dataclasses.dataclass(frozen=True)
class RemoveGuest:
    """A workflow removes one of its guests (no chair acts): ``reason`` is a code, ``message``
    what the guest's call page says (no patient data)."""

    participant_id: str
    reason: str
    message: str


@dataclasses.dataclass(frozen=True)
class UpdateSettings:
    """Change settings; ``changes`` holds (field, value) pairs of ``name``, ``access_level``,
    ``scheduled_at`` (ISO text or None), ``patient_id`` (or None). ``roster``, when given, is
    the Participants from Your Practice list as it should be (roles set, people left out
    removed); everything applies together or nothing does."""

    by_user_id: str | None
    changes: tuple[tuple[str, Any], ...]
    roster: tuple[Invitee, ...] | None = None


@dataclasses.dataclass(frozen=True)
class Close:
    """Close the session for everyone: by one of its chairs, or (``as_admin``) by an admin of
    its organisation, who need not be on it; the caller checked the organisation."""

    by_user_id: str | None
    as_admin: bool = False


@dataclasses.dataclass(frozen=True)
class GrantMedia:
    """Ask what a principal who entered may do on the media."""

    user_id: str | None
    guest_participant_id: str | None


@dataclasses.dataclass(frozen=True)
class CheckAbility:
    """Ask whether a principal holds an ability (e.g. ``capture``); replies with the
    participant id or raises Forbidden."""

    user_id: str | None
    ability: str


@dataclasses.dataclass(frozen=True)
class StartRecording:
    """A chair starts recording the session (the consenting participants)."""

    by_user_id: str | None


@dataclasses.dataclass(frozen=True)
class StopRecording:
    """Stop the running recording: by a chair (``by_user_id``), or by the node
    (``by_user_id`` None, e.g. ``reason`` ``node_shutdown``)."""

    by_user_id: str | None
    reason: str = "stopped_by_chair"


@dataclasses.dataclass(frozen=True)
class RecordingLost:
    """The media worker recording the session died: keep what it wrote, mark it interrupted."""


@dataclasses.dataclass(frozen=True)
class Wake:
    """Activate the actor so that it recovers (sent at start-up to sessions that had people
    in them when the node stopped: their grace periods start)."""


Command = (Wake | Enter | AddGuest | Leave | Disconnect | GraceExpired | AddParticipants
           | ChangeRole | RemoveParticipant | RemoveGuest | UpdateSettings | Close | GrantMedia
           | CheckAbility | StartRecording | StopRecording | RecordingLost)

# Events (published) ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Event:
    TYPE: ClassVar[str] = ""

    def wire(self) -> dict[str, Any]:
        return {"type": self.TYPE, "data": dataclasses.asdict(self)}


@dataclasses.dataclass(frozen=True)
class ParticipantJoined(Event):
    TYPE: ClassVar[str] = "session.participant_joined"
    participant: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class ParticipantUpdated(Event):
    TYPE: ClassVar[str] = "session.participant_updated"
    participant: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class ParticipantLeft(Event):
    TYPE: ClassVar[str] = "session.participant_left"
    participant_id: str


@dataclasses.dataclass(frozen=True)
class SessionUpdated(Event):
    TYPE: ClassVar[str] = "session.updated"
    session: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class ParticipantRemoved(Event):
    TYPE: ClassVar[str] = "session.removed"
    participant_id: str
    reason: str
    #: What the removed person's call page says, when a workflow gave words for it (only then
    #: is ``message`` on the wire).
    message: str = ""

    def wire(self) -> dict[str, Any]:
        body = super().wire()
        if not self.message:
            del body["data"]["message"]
        return body


@dataclasses.dataclass(frozen=True)
class SessionClosed(Event):
    TYPE: ClassVar[str] = "session.closed"
    session_id: str


@dataclasses.dataclass(frozen=True)
class RecordingChanged(Event):
    """Recording started (``state`` ``recording``) or ended (``stopped``, or ``interrupted``
    when the media plane failed); ``reason`` says why it ended."""

    TYPE: ClassVar[str] = "session.recording"
    state: str
    recording_id: str
    started_at: str | None = None
    started_by: str | None = None
    reason: str | None = None


# Effects (performed by the actor, not published) -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class PermissionsChanged:
    """Tell the media plane the participant's new role at once."""

    participant_id: str
    role: str


@dataclasses.dataclass(frozen=True)
class MediaRemoved:
    participant_id: str


@dataclasses.dataclass(frozen=True)
class RoomClosed:
    session_id: str


@dataclasses.dataclass(frozen=True)
class Invited:
    """A practice user was put on the list: notify them."""

    user_id: str
    participant_id: str


@dataclasses.dataclass(frozen=True)
class GraceStarted:
    participant_id: str
    epoch: int


@dataclasses.dataclass(frozen=True)
class EndRecording:
    """Stop the running recording because the session ended or everyone left; performed
    before ``RoomClosed`` so the files are finished and stored first."""

    reason: str


Effect = PermissionsChanged | MediaRemoved | RoomClosed | Invited | GraceStarted | EndRecording
