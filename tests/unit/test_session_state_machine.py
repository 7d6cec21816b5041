"""SessionState under random command sequences (hypothesis stateful testing).

Colleagues and guests enter, drop, come back, leave, are added, re-roled and removed; chairs
change settings and close. After every step: the invariants of docs/workflows/sessions.md hold
(a session keeps a chair, the removed and the closed have nobody present, guests never chair),
a refused command changed nothing, and the persisted form round trips: the rows the
SessionActor writes (``persist.save``) read back (``persist.load``) with the presence snapshot
into an equal state. Ids come from the test, as the session service passes them in.

Real SQLite under tmp_path: the rows are what a restarted node reads.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import trio
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from vclinic import accounts
from vclinic.errors import VclinicError
from vclinic.sessions import creation, link, persist
from vclinic.sessions import message as m
from vclinic.sessions.role import ROLES
from vclinic.sessions.state import PRESENT, SessionState
from vclinic.store import Store, migrate

ROLE_CHOICES = (*ROLES, "boss")  # "boss" is not a role: refused
TIMES = st.integers(min_value=1_700_000_000, max_value=1_900_000_000).map(
    lambda s: dt.datetime.fromtimestamp(s, dt.UTC).isoformat())


class World:
    """The database and the practice the sessions live in (made once per test)."""

    def __init__(self, tmp_path: Path) -> None:
        self.store = Store.open(f"sqlite:///{tmp_path}/db/vclinic.db", pool_size=1)
        migrate(self.store)
        self.key = link.link_key(str(tmp_path))
        self.org_id, self.users = trio.run(self._people)

    async def _people(self) -> tuple[str, list[str]]:
        org = await accounts.create_org(self.store, "Clinic")
        users = []
        for n in range(4):
            user = await accounts.create_user(self.store, org.slug, f"u{n}@x.org",
                                              "long-enough-1", "provider", f"Colleague {n}")
            users.append(user.id)
        return org.id, users


class SessionMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.made = 0
        self.connections: list[tuple[str, str]] = []  #: (participant id, connection id)

    @initialize(access=st.sampled_from(("private", "internal", "invitation")))
    def start_session(self, access: str) -> None:
        w = self.world
        self.sid, _ = w.store.call_atomic(creation.create, w.key, creation.NewSession(
            org_id=w.org_id, creator_id=w.users[0], name="Consult", access_level=access,
            participants=((w.users[1], "viewer"),)))
        state = w.store.call(persist.load, self.sid)
        assert state is not None
        self.state: SessionState = state
        #: Participant ids in a fixed order (the creator, the listed colleague, then as made),
        #: so that a replayed example picks the same people whatever ids the rows got.
        self.pids = [state.find(u, None).id for u in w.users[:2]]  # type: ignore[union-attr]

    def _new_id(self, prefix: str) -> str:
        # Unique across examples, as the rows of every example share one database.
        self.made += 1
        return f"{prefix}-{self.sid}-{self.made:03d}"

    def _saved(self) -> Any:
        return copy.deepcopy((self.state.info, self.state.people, self.state.dirty,
                              self.state.info_dirty))

    def _apply(self, command: Any) -> tuple[Any, list[Any]] | None:
        """Handle one command; a refusal (a VclinicError) must leave the state as it was.
        (What was accepted is written to the rows by the round-trip invariant, as the actor
        writes it before replying.)"""
        before = self._saved()
        try:
            outcome = self.state.handle(command)
        except VclinicError:
            assert self._saved() == before, f"refused {command!r} but changed the state"
            return None
        self.pids += sorted(set(self.state.people) - set(self.pids))
        return outcome

    def _people(self) -> list[str]:
        return [*self.pids, "nobody"]

    def _by(self, data: st.DataObject) -> str:
        """Who sends a chair's command: mostly the creator (a chair), else anyone."""
        return data.draw(st.sampled_from([self.world.users[0]]) | st.sampled_from(
            self.world.users))

    # Rules ------------------------------------------------------------------------------------

    @rule(data=st.data(), consent=st.none() | st.booleans(), foreign=st.booleans())
    def colleague_enters(self, data: st.DataObject, consent: bool | None,
                         foreign: bool) -> None:
        user = data.draw(st.sampled_from(self.world.users))
        connection = self._new_id("conn")
        org = "another-org" if foreign else self.world.org_id
        outcome = self._apply(m.Enter(connection, org, user, None, "Someone",
                                      self._new_id("p"), consent))
        if outcome is not None:
            assert not foreign
            self.connections.append((outcome[0]["you"]["id"], connection))

    @rule(data=st.data(), consent=st.none() | st.booleans())
    def guest_enters(self, data: st.DataObject, consent: bool | None) -> None:
        pid = data.draw(st.sampled_from(self._people()))
        connection = self._new_id("conn")
        outcome = self._apply(m.Enter(connection, None, None, pid, "Guest", "unused", consent))
        if outcome is not None:
            assert self.state.people[pid].kind == "guest"
            self.connections.append((pid, connection))

    @rule()
    def guest_follows_the_link(self) -> None:
        pid = self._new_id("guest")
        outcome = self._apply(m.AddGuest(pid, "Pat Guest"))
        if outcome is not None:
            assert self.state.info.access_level == "invitation"

    @rule(data=st.data())
    def connection_drops(self, data: st.DataObject) -> None:
        if self.connections:
            pid, connection = data.draw(st.sampled_from(self.connections))
            self._apply(m.Disconnect(connection, pid))

    @rule(data=st.data())
    def participant_hangs_up(self, data: st.DataObject) -> None:
        if self.connections:
            pid, connection = data.draw(st.sampled_from(self.connections))
            self._apply(m.Leave(connection, pid))
            assert self.state.people[pid].state not in PRESENT

    @rule(data=st.data(), stale=st.booleans())
    def grace_period_ends(self, data: st.DataObject, stale: bool) -> None:
        pid = data.draw(st.sampled_from(self._people()))
        person = self.state.people.get(pid)
        epoch = (person.epoch if person else 0) - (1 if stale else 0)
        was = person.state if person else None
        self._apply(m.GraceExpired(pid, epoch))
        if person is not None and was == "reconnecting" and not stale:
            assert person.state == "left"
        elif person is not None:
            assert person.state == was  # a stale timer changes nothing

    @rule(data=st.data())
    def chair_adds_colleagues(self, data: st.DataObject) -> None:
        by = self._by(data)
        chosen = data.draw(st.lists(st.sampled_from(self.world.users), min_size=1, max_size=3,
                                    unique=True))
        invitees = tuple(m.Invitee(u, f"Colleague {u}", data.draw(st.sampled_from(ROLE_CHOICES)),
                                   new_participant_id=self._new_id("p")) for u in chosen)
        self._apply(m.AddParticipants(by, invitees))

    @rule(data=st.data(), role=st.sampled_from(ROLE_CHOICES))
    def chair_changes_a_role(self, data: st.DataObject, role: str) -> None:
        by = self._by(data)
        pid = data.draw(st.sampled_from(self._people()))
        outcome = self._apply(m.ChangeRole(by, pid, role))
        if outcome is not None:
            assert self.state.people[pid].role == role

    @rule(data=st.data())
    def chair_removes_a_participant(self, data: st.DataObject) -> None:
        by = self._by(data)
        pid = data.draw(st.sampled_from(self._people()))
        if self._apply(m.RemoveParticipant(by, pid)) is not None:
            assert self.state.people[pid].removed

    @rule(data=st.data(), name=st.sampled_from(("Follow-up", "  ", "Review")),
          access=st.sampled_from(("private", "internal", "invitation", "public")),
          when=st.none() | TIMES, with_roster=st.booleans())
    def chair_changes_settings(self, data: st.DataObject, name: str, access: str,
                               when: str | None, with_roster: bool) -> None:
        by = self._by(data)
        keys = data.draw(st.sets(st.sampled_from(("name", "access_level", "scheduled_at",
                                                  "ends_at"))))
        values = {"name": name, "access_level": access, "scheduled_at": when, "ends_at": when}
        roster = None
        if with_roster:
            chosen = data.draw(st.lists(st.sampled_from(self.world.users), max_size=4,
                                        unique=True))
            roster = tuple(m.Invitee(u, f"Colleague {u}",
                                     data.draw(st.sampled_from(ROLE_CHOICES)),
                                     new_participant_id=self._new_id("p")) for u in chosen)
        self._apply(m.UpdateSettings(by, tuple(sorted((k, values[k]) for k in keys)), roster))

    @rule(data=st.data())
    def chair_closes(self, data: st.DataObject) -> None:
        by = self._by(data)
        if self._apply(m.Close(by)) is not None:
            assert self.state.info.status == "closed"

    # Invariants -------------------------------------------------------------------------------

    @invariant()
    def a_session_keeps_a_chair_and_guests_never_chair(self) -> None:
        people = [p for p in self.state.people.values() if not p.removed]
        assert any(p.role == "chair" for p in people)
        assert all(p.role != "chair" for p in people if p.kind == "guest")
        assert all(p.role in ROLES for p in self.state.people.values())

    @invariant()
    def presence_matches_connections(self) -> None:
        for person in self.state.people.values():
            assert (person.state == "connected") == bool(person.connections)
            if person.removed:
                assert person.state not in PRESENT and not person.listed
            if self.state.info.status == "closed":
                assert person.state not in PRESENT

    @invariant()
    def rows_and_presence_round_trip(self) -> None:
        w = self.world
        w.store.call_atomic(persist.save, self.state)
        loaded = w.store.call(persist.load, self.sid)
        assert loaded is not None
        grace = loaded.restore(self.state.presence(), same_node=True)
        assert loaded.info == self.state.info
        # On the same node the connections are still there: only those already reconnecting
        # start a fresh grace period (a new epoch, so the old timer is ignored).
        expected = copy.deepcopy(self.state.people)
        for person in expected.values():
            if person.state == "reconnecting":
                person.epoch += 1
        assert loaded.people == expected
        assert {e.participant_id for e in grace} == {
            p.id for p in self.state.people.values() if p.state == "reconnecting"}


def test_session_state_under_random_commands(tmp_path: Path) -> None:
    world = World(tmp_path)
    try:
        machine = type("Machine", (SessionMachine,), {"world": world})
        machine.TestCase.settings = settings(
            max_examples=100, stateful_step_count=20, deadline=None, database=None,
            suppress_health_check=[HealthCheck.too_slow])
        machine.TestCase().runTest()
    finally:
        world.store.close()
