"""QueueState under random command sequences (hypothesis stateful testing).

Patients join, answer, finish the setup guide, open and close their page, let the grace period
run out or come back; staff claim, assign and decline. After every step: the queue is in arrival
order with positions 1..n (the incremental positions equal counting from the front), presence
and grace agree, the estimate is honest, a refusal changed nothing, and the persisted form
round trips: the request rows (``Entry.row``) read back by ``record.load``, with the
QueueActor's presence snapshot, give an equal queue. Ids and times come
from the test, as the actor and the routes pass them in. Real SQLite under tmp_path.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from vclinic_on_demand import record, vclinic_register_migrations
from vclinic_on_demand.model import QueueRequest
from vclinic_on_demand.state import MIN_WAITS_FOR_ESTIMATE, RECENT_WAITS, Entry, QueueState

from vclinic.errors import VclinicError
from vclinic.store import Store, migrate

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
STAFF = ("provider-1", "provider-2")


class QueueMachine(RuleBasedStateMachine):
    store: Store
    examples = 0

    def __init__(self) -> None:
        super().__init__()
        self.queue = QueueState([], [])
        self.now = T0
        self.made = 0
        self.ids: list[str] = ["gone-before"]
        self.open: list[tuple[str, str]] = []  #: (request id, connection id)
        self.ended: dict[str, dict[str, Any]] = {}  #: rows' end columns, as the actor writes

    @initialize()
    def new_organisation(self) -> None:
        # Every example gets its own organisation's queue in the shared database.
        type(self).examples += 1
        self.org_id = f"org-{self.examples}"

    def _new_id(self, prefix: str) -> str:
        self.made += 1
        return f"{prefix}-{self.org_id}-{self.made:03d}"

    def _apply(self, step: Any) -> Any:
        before = copy.deepcopy((self.queue.entries, list(self.queue.recent_waits)))
        try:
            return step()
        except VclinicError:
            after = (self.queue.entries, list(self.queue.recent_waits))
            assert after == before, "a refused step changed the queue"
            return None

    def _end(self, request_id: str, status: str, wait: float | None = None) -> None:
        self.ended[request_id] = {"status": status, "ended_at": self.now, "present": False,
                                  "wait_seconds": wait}

    # Rules ------------------------------------------------------------------------------------

    @rule(seconds=st.integers(min_value=0, max_value=600))
    def time_passes(self, seconds: int) -> None:
        self.now += dt.timedelta(seconds=seconds)

    @rule()
    def patient_starts(self) -> None:
        # The actor stamps arrivals with utcnow(), in microseconds: no two are equal (equal
        # stamps would have no defined order after a restart).
        self.now += dt.timedelta(microseconds=1)
        request_id = self._new_id("req")
        self.queue.add(Entry(id=request_id, name="Pat", email="pat@example.org",
                             created_at=self.now))
        self.ids.append(request_id)
        assert self.queue.position(request_id) == self.queue.waiting_count()

    @rule(data=st.data(), phone=st.sampled_from(("555-0100", "", None)))
    def patient_answers(self, data: st.DataObject, phone: str | None) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        if self._apply(lambda: self.queue.answer(request_id, {"phone": phone})) is not None:
            assert self.queue.entries[request_id].answers["phone"] == phone

    @rule(data=st.data())
    def patient_finishes_the_guide(self, data: st.DataObject) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        if self._apply(lambda: self.queue.complete(request_id, self.now)) is not None:
            assert self.queue.entries[request_id].status == "waiting"

    @rule(data=st.data())
    def page_opens(self, data: st.DataObject) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        connection = self._new_id("conn")
        if self._apply(lambda: self.queue.connect(request_id, connection)) is not None:
            self.open.append((request_id, connection))

    @rule(data=st.data())
    def page_closes(self, data: st.DataObject) -> None:
        if not self.open:
            return
        pair = data.draw(st.sampled_from(self.open))
        self.open.remove(pair)
        entry = self.queue.disconnect(pair[0], pair[1], self.now)
        if entry is not None:
            assert entry.disconnected_at == self.now and not entry.connections

    @rule(data=st.data(), stale=st.booleans())
    def grace_period_ends(self, data: st.DataObject, stale: bool) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        entry = self.queue.entries.get(request_id)
        epoch = (entry.epoch if entry else 0) - (1 if stale else 0)
        if self.queue.expired(request_id, epoch):
            assert not stale and entry is not None and not entry.connections
            self.queue.remove(request_id, self.now, claimed=False)
            self._end(request_id, "abandoned")

    @rule(data=st.data(), by=st.sampled_from(STAFF), is_admin=st.booleans())
    def staff_claims(self, data: st.DataObject, by: str, is_admin: bool) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        entry = self._apply(lambda: self.queue.check_claim(request_id, by, is_admin))
        if entry is None:
            return
        assert entry.assigned_to in (None, by) or is_admin
        waits = len(self.queue.recent_waits)
        self.queue.remove(request_id, self.now, claimed=True)
        assert len(self.queue.recent_waits) == min(waits + 1, RECENT_WAITS)
        self._end(request_id, "claimed", entry.waited(self.now))

    @rule(data=st.data(), to=st.sampled_from(STAFF))
    def admin_assigns(self, data: st.DataObject, to: str) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        self._apply(lambda: self.queue.assign(request_id, to))

    @rule(data=st.data())
    def staff_declines(self, data: st.DataObject) -> None:
        request_id = data.draw(st.sampled_from(self.ids))
        if self._apply(lambda: self.queue.get(request_id)) is not None:
            self.queue.remove(request_id, self.now, claimed=False)
            self._end(request_id, "declined")

    # Invariants -------------------------------------------------------------------------------

    @invariant()
    def longest_wait_first_with_positions(self) -> None:
        entries = list(self.queue.entries.values())
        assert [e.created_at for e in entries] == sorted(e.created_at for e in entries)
        listed = self.queue.page(self.now, 0, len(entries) + 1)
        assert [(r["id"], r["position"]) for r in listed] == [
            (e.id, n) for n, e in enumerate(entries, start=1)]
        assert all(r["wait_seconds"] >= 0 for r in listed)

    @invariant()
    def positions_equal_counting_from_the_front(self) -> None:
        # The incremental index answers what walking the queue would.
        for n, request_id in enumerate(self.queue.entries, start=1):
            assert self.queue.position(request_id) == n
        for request_id in self.ids:
            if request_id not in self.queue.entries:
                try:
                    self.queue.position(request_id)
                except VclinicError as refused:
                    assert refused.code == "request_not_found"
                else:
                    raise AssertionError("a request that left the queue still has a place")

    @invariant()
    def presence_and_guide_agree(self) -> None:
        for entry in self.queue.entries.values():
            if entry.connections:
                assert entry.disconnected_at is None
            assert entry.status in ("intake", "waiting")
            assert (entry.completed_at is not None) == (entry.status == "waiting")

    @invariant()
    def estimate_is_honest(self) -> None:
        estimate = self.queue.estimate()
        assert estimate["based_on"] == len(self.queue.recent_waits) <= RECENT_WAITS
        assert (estimate["typical_wait_seconds"] is None) == (
            len(self.queue.recent_waits) < MIN_WAITS_FOR_ESTIMATE)

    @invariant()
    def rows_and_presence_round_trip(self) -> None:
        self.store.call_atomic(self._write_rows)
        entries, waits, _ = self.store.call(record.load, self.org_id)
        loaded = QueueState(entries, waits)
        # What the QueueActor does on a restart in the same process (after a crash).
        presence = {e.id: sorted(e.connections) for e in self.queue.entries.values()
                    if e.connections}
        for request_id, connections in presence.items():
            loaded.entries[request_id].connections = set(connections)
            loaded.entries[request_id].disconnected_at = None
        assert list(loaded.entries) == list(self.queue.entries)
        for request_id, entry in self.queue.entries.items():
            assert dataclasses.replace(loaded.entries[request_id], epoch=entry.epoch) == entry
        assert sorted(loaded.recent_waits) == sorted(self.queue.recent_waits)
        assert loaded.estimate() == self.queue.estimate()

    def _write_rows(self) -> None:
        for entry in self.queue.entries.values():
            row = entry.row()
            if QueueRequest.get_or_none(QueueRequest.id == entry.id) is None:
                QueueRequest.create(organisation_id=self.org_id, token_hash=entry.id, **row)
            else:
                QueueRequest.update(**row).where(QueueRequest.id == entry.id).execute()
        for request_id, columns in self.ended.items():
            QueueRequest.update(**columns).where(QueueRequest.id == request_id).execute()


def test_queue_state_under_random_commands(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/db/vclinic.db", pool_size=1)
    try:
        migrate(store, vclinic_register_migrations())
        machine = type("Machine", (QueueMachine,), {"store": store})
        machine.TestCase.settings = settings(
            max_examples=60, stateful_step_count=20, deadline=None, database=None,
            suppress_health_check=[HealthCheck.too_slow])
        machine.TestCase().runTest()
    finally:
        store.close()
