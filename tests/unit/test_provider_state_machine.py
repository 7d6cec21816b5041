"""ProviderState under random command sequences (hypothesis stateful testing).

A model (each request's requester, status and deadline, as docs/workflows/virtual_clinic.md
tells them) says which commands succeed and what follows. After every step: the state agrees
with the model, the invariants a requester and a provider rely on hold, a refused command
changed nothing, and the snapshot the ProviderActor saves (``to_dict``, stored as JSON) loads back
into an equal state. Ids and times come from the test, as the actor passes them in.
"""

from __future__ import annotations

import json

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from vclinic_virtual_clinic import message as m
from vclinic_virtual_clinic.state import (
    ACCEPTED,
    DECLINED,
    EXPIRED,
    KEEP_CLOSED,
    PENDING,
    Outcome,
    ProviderState,
)

from vclinic.errors import VclinicError

REQUESTERS = ("station-1", "station-2", "station-3")


class ProviderMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = ProviderState("ada")
        self.now = 1_000.0
        self.made = 0
        self.ids: list[str] = ["never-made"]
        #: request id -> [requester, status, expires_at], for the requests the state keeps.
        self.model: dict[str, list] = {}

    def _apply(self, step: object) -> Outcome | None:
        """Run one step; a refusal (a VclinicError) must leave the state as it was."""
        before = self.state.to_dict()
        try:
            return step()  # type: ignore[operator, no-any-return]
        except VclinicError:
            assert self.state.to_dict() == before, "a refused command changed the state"
            return None

    def _expect(self, outcome: Outcome | None, succeeds: bool) -> bool:
        assert (outcome is not None) == succeeds, "refused a valid command or took a bad one"
        return succeeds

    def _status(self, request_id: str) -> str | None:
        return self.model[request_id][1] if request_id in self.model else None

    def _new_id(self, prefix: str) -> str:
        self.made += 1
        return f"{prefix}-{self.made}"

    @rule(seconds=st.floats(min_value=0.0, max_value=200.0))
    def time_passes(self, seconds: float) -> None:
        self.now += seconds

    @rule(available=st.booleans())
    def set_availability(self, available: bool) -> None:
        reply, _ = self.state.handle(m.SetAvailability("org", "Dr Ada", available, self.now))
        assert reply == {"available": available}
        if not available:  # going unavailable declines what is waiting
            for entry in self.model.values():
                if entry[1] == PENDING:
                    entry[1] = DECLINED

    @rule(requester=st.sampled_from(REQUESTERS), ttl=st.floats(min_value=1.0, max_value=300.0))
    def request(self, requester: str, ttl: float) -> None:
        request_id = self._new_id("req")
        was_available = self.state.available
        outcome = self._apply(lambda: self.state.handle(m.RequestSession(
            request_id, "org", "Dr Ada", requester, "Station", None, None, self.now,
            self.now + ttl)))
        has_open = any(r == requester and status in (PENDING, DECLINED, EXPIRED)
                       for r, status, _ in self.model.values())
        if not self._expect(outcome, not has_open):
            return
        assert outcome is not None
        self.ids.append(request_id)
        self.model[request_id] = [requester, PENDING if was_available else DECLINED,
                                  self.now + ttl]
        reply, effects = outcome
        assert reply["status"] == (PENDING if was_available else DECLINED)
        assert (m.ArmExpiry(request_id, self.now + ttl) in effects) == was_available

    @rule(data=st.data(), note=st.none() | st.text(max_size=20))
    def decline(self, data: st.DataObject, note: str | None) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        outcome = self._apply(lambda: self.state.handle(m.Decline(request_id, note, self.now)))
        if self._expect(outcome, self._status(request_id) == PENDING):
            self.model[request_id][1] = DECLINED

    @rule(data=st.data(), requester=st.sampled_from(REQUESTERS))
    def cancel(self, data: st.DataObject, requester: str) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        outcome = self._apply(lambda: self.state.handle(m.Cancel(request_id, requester,
                                                                 self.now)))
        mine = request_id in self.model and self.model[request_id][0] == requester
        if self._expect(outcome, mine and self._status(request_id) == PENDING):
            del self.model[request_id]

    @rule(data=st.data(), requester=st.sampled_from(REQUESTERS))
    def dismiss(self, data: st.DataObject, requester: str) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        outcome = self._apply(lambda: self.state.handle(m.Dismiss(request_id, requester)))
        mine = request_id in self.model and self.model[request_id][0] == requester
        if self._expect(outcome, mine and self._status(request_id) in (DECLINED, EXPIRED)):
            del self.model[request_id]

    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        request = self.state.requests.get(request_id)
        due = request is not None and request.status == PENDING and \
            self.now >= request.expires_at
        _, effects = self.state.handle(m.Expire(request_id, self.now))
        if due:
            self.model[request_id][1] = EXPIRED
        elif request is not None and request.status == PENDING:
            assert effects == [m.ArmExpiry(request_id, request.expires_at)]  # not yet due

    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        session_id = self._new_id("session")

        def both() -> Outcome:
            self.state.check_accept(request_id)
            return self.state.accepted(request_id, session_id, self.now)

        outcome = self._apply(both)
        if self._expect(outcome, self._status(request_id) == PENDING):
            assert outcome is not None
            assert (outcome[0]["status"], outcome[0]["session_id"]) == (ACCEPTED, session_id)
            self.model[request_id][1] = ACCEPTED

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert {i: (r.requester_id, r.status, r.expires_at)
                for i, r in self.state.requests.items()} == {
            i: tuple(v) for i, v in self.model.items()}

    @invariant()
    def one_open_request_per_requester(self) -> None:
        for requester in REQUESTERS:
            open_ = [r for r in self.state.requests.values() if r.requester_id == requester
                     and r.status in (PENDING, DECLINED, EXPIRED)]
            assert len(open_) <= 1

    @invariant()
    def pending_only_while_available_and_not_closed(self) -> None:
        for request in self.state.requests.values():
            assert request.created_at <= request.expires_at
            if request.status == PENDING:
                assert self.state.available
                assert request.closed_at is None and request.session_id is None
            else:
                assert request.closed_at is not None
            assert (request.session_id is not None) == (request.status == ACCEPTED)
        accepted = [r for r in self.state.requests.values() if r.status == ACCEPTED]
        assert len(accepted) <= KEEP_CLOSED

    @invariant()
    def views_show_what_each_side_may_see(self) -> None:
        provider_view = self.state.status(None)["requests"]
        assert all(r["status"] == PENDING for r in provider_view)
        for requester in REQUESTERS:
            assert all(r["requester_id"] == requester
                       for r in self.state.status(requester)["requests"])

    @invariant()
    def snapshot_round_trips(self) -> None:
        saved = json.loads(json.dumps(self.state.to_dict()))
        loaded = ProviderState.from_dict("ada", saved)
        assert loaded.to_dict() == self.state.to_dict()
        assert loaded.status(None) == self.state.status(None)
        assert loaded.restore() == self.state.restore()
        assert {a.request_id for a in loaded.restore()} == {
            r.id for r in self.state.requests.values() if r.status == PENDING}


ProviderMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25,
                                             deadline=None, database=None)
TestProviderState = ProviderMachine.TestCase
