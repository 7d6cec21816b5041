"""SessionState: the decision logic of one session, synchronous and loop-free.

Owned by the SessionActor, which feeds it one command at a time (``handle``), persists what it
marks dirty, publishes the events and performs the effects it returns. Presence (which
connections are in, grace epochs) lives here too; the rows of record are in the store.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from vclinic.errors import BadRequest, Conflict, Forbidden, Gone, NotFound
from vclinic.sessions import message as m
from vclinic.sessions.recording import Active
from vclinic.sessions.role import ACCESS_LEVELS, ROLES, Ability, can, permissions_dict, qualifies
from vclinic.sessions.roster import Info, Person

#: Participant states in which someone counts as in the session.
PRESENT = frozenset({"connected", "reconnecting"})
SETTINGS = frozenset({"name", "access_level", "scheduled_at", "patient_id", "ends_at"})


Outcome = tuple[Any, list[Any]]


class SessionState:
    """The live state of one session; ``handle(command) -> (reply, events and effects)``."""

    def __init__(self, info: Info, people: list[Person]) -> None:
        self.info = info
        self.people = {p.id: p for p in people}
        self.dirty: set[str] = set()  #: participant ids to persist
        self.info_dirty = False
        #: The running recording (its row is written by the actor, not by ``save``).
        self.recording: Active | None = None
        #: Audit events ``(actor_id, action)`` that ``save`` writes with the change.
        self.audits: list[tuple[str | None, str]] = []

    # Look-ups ---------------------------------------------------------------------------------

    def find(self, user_id: str | None, guest_participant_id: str | None) -> Person | None:
        if guest_participant_id is not None:
            person = self.people.get(guest_participant_id)
            return person if person is not None and person.kind == "guest" else None
        if user_id is None:
            return None
        return next((p for p in self.people.values() if p.user_id == user_id), None)

    def chair(self, user_id: str | None, ability: Ability) -> Person:
        """The caller's participant if the session is open and it may do ``ability``."""
        self._open()
        return self._able(user_id, ability)

    def _able(self, user_id: str | None, ability: Ability) -> Person:
        """The caller's participant if it may do ``ability``, else Forbidden."""
        person = self.find(user_id, None)
        if person is None or person.removed or not can(person.role, ability):
            raise Forbidden("Only a Session Chair can do this.", code="not_chair")
        return person

    def participant(self, participant_id: str) -> Person:
        person = self.people.get(participant_id)
        if person is None or person.removed:
            raise NotFound("There is no such participant in this session.")
        return person

    def view(self, person: Person | None = None) -> dict[str, Any]:
        """What ``session.enter`` answers: the session, you, and the participants."""
        body: dict[str, Any] = {
            "session": self.info.public(),
            "participants": [p.public() for p in self.people.values() if not p.removed],
            "recording": self.recording_public(),
        }
        if person is not None:
            body["you"] = {**person.public(), "permissions": permissions_dict(person.role)}
        return body

    def recording_public(self) -> dict[str, Any]:
        """The recording state as ``session.enter`` and ``session.recording`` show it."""
        return self.recording.public() if self.recording else {"state": "stopped"}

    def may_start_recording(self, user_id: str | None) -> Person:
        """The chair starting a recording, if one may start now."""
        person = self.chair(user_id, Ability.RECORD)
        if self.recording is not None:
            raise Conflict("This session is already being recorded.", code="already_recording")
        if not any(p.state == "connected" for p in self.people.values() if not p.removed):
            raise Conflict("Nobody is in the call: recording can start once the call is live.",
                           code="session_not_live")
        return person

    def may_stop_recording(self, user_id: str | None) -> Person | None:
        """The chair stopping the recording (None when the node stops it)."""
        person = self._able(user_id, Ability.RECORD) if user_id is not None else None
        if self.recording is None:
            raise Conflict("This session is not being recorded.", code="not_recording")
        return person

    def _open(self) -> None:
        if self.info.status != "open":
            raise Gone("This session has ended.", code="session_closed")

    def _chairs(self) -> int:
        return sum(1 for p in self.people.values() if p.role == "chair" and not p.removed)

    def _touch(self, person: Person) -> None:
        self.dirty.add(person.id)

    # Commands ---------------------------------------------------------------------------------

    def handle(self, command: m.Command) -> Outcome:
        match command:
            case m.Wake():
                return None, []
            case m.Enter():
                return self._enter(command)
            case m.AddGuest():
                return self._add_guest(command)
            case m.Leave():
                return self._leave(command)
            case m.Disconnect():
                return self._disconnect(command)
            case m.GraceExpired():
                return self._grace_expired(command)
            case m.AddParticipants():
                return self._add(command)
            case m.ChangeRole():
                return self._change_role(command)
            case m.RemoveParticipant():
                return self._remove(command)
            case m.RemoveGuest():
                return self._remove_guest(command)
            case m.UpdateSettings():
                return self._update(command)
            case m.Close():
                return self._close(command)
            case m.GrantMedia():
                return self._grant(command), []
            case m.CheckAbility():
                return self.chair(command.user_id, Ability(command.ability)).id, []
        raise BadRequest("Unknown session command.")

    def _enter(self, c: m.Enter) -> Outcome:
        self._open()
        events: list[Any] = []
        if c.guest_participant_id is None and c.org_id != self.info.org_id:
            raise Forbidden("You are not part of this practice; join with the session link.",
                            code="access_denied")
        person = self.find(c.user_id, c.guest_participant_id)
        if person is not None and person.removed:
            raise Forbidden("You were removed from this session.", code="removed")
        if person is None:
            if c.guest_participant_id is not None:
                raise Forbidden("Join with the session link first.", code="not_in_session")
            if self.info.access_level == "private" or c.station:
                raise Forbidden("This is a private session: only people on its participant "
                                "list can join.", code="not_invited")
            person = Person(id=c.new_participant_id, user_id=c.user_id,
                            display_name=c.display_name, role="broadcaster", kind="practice",
                            listed=False)
        if not qualifies(self.info.access_level, person.kind, person.listed):
            if person.kind == "guest":
                raise Forbidden("This session is for people of the practice: sign in to "
                                "join.", code="sign_in_required")
            raise Forbidden("This is a private session: only people on its participant "
                            "list can join.", code="not_invited")
        self.people[person.id] = person
        if c.consent_recording is not None and c.consent_recording != person.consent_recording:
            person.consent_recording = c.consent_recording
            self._touch(person)
        person.connections.add(c.connection_id)
        if person.state != "connected":
            was = person.state
            person.state = "connected"
            person.epoch += 1
            self._touch(person)
            kind = m.ParticipantUpdated if was == "reconnecting" else m.ParticipantJoined
            events.append(kind(person.public()))
        return self.view(person), events

    def _add_guest(self, c: m.AddGuest) -> Outcome:
        self._open()
        if self.info.access_level != "invitation":
            raise Forbidden("This session is for people of the practice: sign in to join.",
                            code="sign_in_required")
        person = Person(id=c.participant_id, user_id=None, display_name=c.display_name,
                        role="broadcaster", kind="guest", listed=False)
        self.people[person.id] = person
        self._touch(person)
        return person.public(), []

    def _leave(self, c: m.Leave) -> Outcome:
        person = self.people.get(c.participant_id)
        if person is None or person.state not in PRESENT:
            return {}, []
        return {}, self._gone(person)

    def _gone(self, person: Person) -> list[Any]:
        person.connections.clear()
        person.state = "left"
        person.epoch += 1
        self._touch(person)
        events: list[Any] = [m.ParticipantLeft(person.id), m.MediaRemoved(person.id)]
        if self.recording is not None and not any(
                p.state in PRESENT for p in self.people.values()):
            events.append(m.EndRecording("everyone_left"))
        return events

    def _disconnect(self, c: m.Disconnect) -> Outcome:
        person = self.people.get(c.participant_id)
        if person is None or c.connection_id not in person.connections:
            return None, []
        person.connections.discard(c.connection_id)
        if person.connections or person.state != "connected":
            return None, []
        person.state = "reconnecting"
        person.epoch += 1
        self._touch(person)
        return None, [m.ParticipantUpdated(person.public()), m.GraceStarted(person.id,
                                                                           person.epoch)]

    def _grace_expired(self, c: m.GraceExpired) -> Outcome:
        person = self.people.get(c.participant_id)
        if person is None or person.state != "reconnecting" or person.epoch != c.epoch:
            return None, []
        return None, self._gone(person)

    def _atomically(self, apply: Callable[[Any], Outcome], command: Any) -> Outcome:
        """``apply(command)``, or on a refusal the state as it was before the command."""
        saved = copy.deepcopy((self.info, self.people, self.dirty, self.info_dirty))
        try:
            return apply(command)
        except Exception:
            self.info, self.people, self.dirty, self.info_dirty = saved
            raise

    def _add(self, c: m.AddParticipants) -> Outcome:
        """Everyone is added, or (a refusal, such as taking the last chair's role) nobody."""
        self.chair(c.by_user_id, Ability.ADD_PARTICIPANT)
        return self._atomically(self._apply_add, c)

    def _apply_add(self, c: m.AddParticipants) -> Outcome:
        events: list[Any] = []
        added = []
        for invitee in c.invitees:
            if invitee.role not in ROLES:
                raise BadRequest("A role must be chair, broadcaster or viewer.",
                                 code="invalid_role")
        for invitee in c.invitees:
            person = self.find(invitee.user_id, None)
            if person is None:
                person = Person(id=invitee.new_participant_id, user_id=invitee.user_id,
                                display_name=invitee.display_name, role=invitee.role,
                                kind="practice", listed=True)
                self.people[person.id] = person
            else:
                if person.role == "chair" != invitee.role and self._chairs() == 1:
                    raise Conflict("A session needs at least one Session Chair.",
                                   code="last_chair")
                if person.role != invitee.role and person.state in PRESENT:
                    events.append(m.PermissionsChanged(person.id, invitee.role))
                person.role, person.listed, person.removed = invitee.role, True, False
                if person.state == "left":
                    person.state = "invited"
            self._touch(person)
            added.append(person.public())
            events.append(m.ParticipantUpdated(person.public()))
            events.append(m.Invited(invitee.user_id, person.id))
        return {"participants": added}, events

    def _change_role(self, c: m.ChangeRole) -> Outcome:
        self.chair(c.by_user_id, Ability.CHANGE_SETTINGS)
        if c.role not in ROLES:
            raise BadRequest("A role must be chair, broadcaster or viewer.", code="invalid_role")
        person = self.participant(c.participant_id)
        if c.role == "chair" and person.kind == "guest":
            raise BadRequest("Guests cannot be Session Chairs; add a colleague from your "
                             "practice instead.", code="guest_cannot_chair")
        if person.role == c.role:
            return person.public(), []
        if person.role == "chair" and self._chairs() == 1:
            raise Conflict("A session needs at least one Session Chair.", code="last_chair")
        person.role = c.role
        self._touch(person)
        return person.public(), [m.ParticipantUpdated(person.public()),
                                 m.PermissionsChanged(person.id, person.role)]

    def _remove(self, c: m.RemoveParticipant) -> Outcome:
        self.chair(c.by_user_id, Ability.ADD_PARTICIPANT)
        person = self.participant(c.participant_id)
        if person.role == "chair" and self._chairs() == 1:
            raise Conflict("A session needs at least one Session Chair.", code="last_chair")
        events = self._evict(person, "removed_by_chair")
        person.removed, person.listed = True, False
        return {}, events

    def _remove_guest(self, c: m.RemoveGuest) -> Outcome:
        person = self.participant(c.participant_id)
        if person.kind != "guest":
            raise Conflict("Only a guest can be removed this way.", code="not_a_guest")
        if person.removed:
            return {}, []
        events = self._evict(person, c.reason, c.message)
        person.removed, person.listed = True, False
        return {}, events

    def _evict(self, person: Person, reason: str, message: str = "") -> list[Any]:
        events: list[Any] = [m.ParticipantRemoved(person.id, reason, message)]
        if person.state in PRESENT:
            events += self._gone(person)
        self._touch(person)
        return events

    def _update(self, c: m.UpdateSettings) -> Outcome:
        """Settings and the participants list change together or not at all: on a refusal the
        state goes back to what it was before the command."""
        self.chair(c.by_user_id, Ability.CHANGE_SETTINGS)
        return self._atomically(self._apply_update, c)

    def _apply_update(self, c: m.UpdateSettings) -> Outcome:
        changes = dict(c.changes)
        if not changes.keys() <= SETTINGS:
            raise BadRequest("Only name, access_level, scheduled_at, ends_at and patient_id can "
                             "change.")
        access = changes.get("access_level", self.info.access_level)
        if access not in ACCESS_LEVELS:
            raise BadRequest("The access level must be private, internal or invitation.",
                             code="invalid_access_level")
        if "name" in changes and not str(changes["name"] or "").strip():
            raise BadRequest("A session needs a name.", code="invalid_name")
        for key in ("scheduled_at", "ends_at"):
            if key in changes and changes[key] is not None and not _is_instant(changes[key]):
                raise BadRequest(f"{key} must be a date and time with its UTC offset.",
                                 code="invalid_time", field=key)
        events: list[Any] = self._set_roster(c.roster) if c.roster is not None else []
        for key, value in changes.items():
            setattr(self.info, key, value.strip() if key == "name" else value)
        self.info_dirty = True
        for person in list(self.people.values()):
            if person.state in PRESENT and not person.removed and not qualifies(
                    access, person.kind, person.listed):
                events += self._evict(person, "access_changed")
                person.removed = person.kind == "guest"
        return self.info.public(), [m.SessionUpdated(self.info.public()), *events]

    def _set_roster(self, roster: tuple[m.Invitee, ...]) -> list[Any]:
        """Make the listed practice participants exactly ``roster``: add the new ones (who are
        notified), set roles, remove the listed ones left out."""
        if any(invitee.role not in ROLES for invitee in roster):
            raise BadRequest("A role must be chair, broadcaster or viewer.", code="invalid_role")
        wanted = {invitee.user_id for invitee in roster}
        events: list[Any] = []
        for person in list(self.people.values()):
            if (person.kind == "practice" and person.listed and not person.removed
                    and person.user_id not in wanted):
                events += self._evict(person, "removed_by_chair")
                person.removed, person.listed = True, False
        for invitee in roster:
            found = self.find(invitee.user_id, None)
            on_list = found is not None and found.listed and not found.removed
            if invitee.station and not on_list:
                raise BadRequest("One of the people is not a colleague at your practice.",
                                 code="unknown_user")
            if found is not None and on_list and found.role == invitee.role:
                continue
            if invitee.station:
                raise BadRequest("A requester station keeps its role.", code="invalid_role")
            if found is not None:
                person = found
                if person.role != invitee.role and person.state in PRESENT:
                    events.append(m.PermissionsChanged(person.id, invitee.role))
                if person.state == "left" and not on_list:
                    person.state = "invited"
                person.role, person.listed, person.removed = invitee.role, True, False
            else:
                person = Person(id=invitee.new_participant_id, user_id=invitee.user_id,
                                display_name=invitee.display_name, role=invitee.role,
                                kind="practice", listed=True)
                self.people[person.id] = person
            self._touch(person)
            events.append(m.ParticipantUpdated(person.public()))
            if not on_list:
                events.append(m.Invited(invitee.user_id, person.id))
        if not self._chairs():
            raise Conflict("A session needs at least one Session Chair.", code="last_chair")
        return events

    def _close(self, c: m.Close) -> Outcome:
        if c.as_admin:
            self._open()
            self.audits.append((c.by_user_id, "session.ended_by_admin"))
        else:
            self.chair(c.by_user_id, Ability.CLOSE)
        events: list[Any] = []
        for person in self.people.values():
            if person.state in PRESENT:
                person.connections.clear()
                person.state = "left"
                person.epoch += 1
                self._touch(person)
        self.info.status = "closed"
        self.info_dirty = True
        if self.recording is not None:
            events.append(m.EndRecording("session_closed"))
        events += [m.SessionClosed(self.info.id), m.RoomClosed(self.info.id)]
        return self.info.public(), events

    def _grant(self, c: m.GrantMedia) -> tuple[str, str, bool]:
        if self.info.status != "open":
            raise Forbidden("This session has ended.", code="not_in_session")
        person = self.find(c.user_id, c.guest_participant_id)
        if person is None or person.removed or person.state not in PRESENT:
            raise Forbidden("Enter the session first.", code="not_in_session")
        return person.id, person.role, person.consent_recording

    # Snapshot of presence ---------------------------------------------------------------------

    def presence(self) -> dict[str, Any]:
        return {pid: {"connections": sorted(p.connections), "epoch": p.epoch}
                for pid, p in self.people.items() if p.connections or p.epoch}

    def restore(self, presence: dict[str, Any], same_node: bool) -> list[Any]:
        """Bring back presence after a restart. On the same node the connections still exist;
        after a node restart they are gone, so those present start their grace period."""
        events: list[Any] = []
        for pid, saved in presence.items():
            person = self.people.get(pid)
            if person is None:
                continue
            person.epoch = int(saved.get("epoch", 0))
            if same_node:
                person.connections = set(saved.get("connections", ()))
        for person in self.people.values():
            if person.state in PRESENT and not person.connections:
                person.state = "reconnecting"
                person.epoch += 1
                self._touch(person)
                events.append(m.GraceStarted(person.id, person.epoch))
        return events


def _is_instant(value: Any) -> bool:
    """True for an ISO 8601 date and time with an offset (how settings store times)."""
    if not isinstance(value, str):
        return False
    try:
        return dt.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False
