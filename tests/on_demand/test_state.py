"""QueueState and the intake rules on their own: no loop, no store."""

from __future__ import annotations

import datetime as dt

import pytest
from vclinic_on_demand import intake
from vclinic_on_demand.state import Entry, QueueState

from vclinic.errors import BadRequest, Conflict, Forbidden

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


def _queue(count: int) -> QueueState:
    entries = [Entry(id=f"r{i}", name=f"P{i}", email=f"p{i}@x.org",
                     created_at=T0 + dt.timedelta(minutes=i)) for i in range(count)]
    return QueueState(list(reversed(entries)), [])


def test_longest_wait_first_and_positions_move_up() -> None:
    queue = _queue(3)
    now = T0 + dt.timedelta(minutes=10)
    assert [r["id"] for r in queue.page(now, 0, 10)] == ["r0", "r1", "r2"]
    assert queue.page(now, 0, 1)[0]["wait_seconds"] == 600
    queue.remove("r0", now, claimed=True)
    assert queue.position("r2") == 2
    assert [r["position"] for r in queue.page(now, 1, 5)] == [2]


def test_estimate_only_with_enough_history() -> None:
    queue = _queue(4)
    assert queue.estimate() == {"typical_wait_seconds": None, "based_on": 0}
    for i, minutes in enumerate((1, 5, 3)):
        queue.remove(f"r{i}", T0 + dt.timedelta(minutes=i + minutes), claimed=True)
    assert queue.estimate() == {"typical_wait_seconds": 180.0, "based_on": 3}
    queue.remove("r3", T0 + dt.timedelta(hours=5), claimed=False)  # abandoned: not a wait
    assert queue.estimate()["based_on"] == 3


def test_a_second_claim_is_told_someone_was_first() -> None:
    queue = _queue(1)
    queue.check_claim("r0", "ada", is_admin=False)
    queue.remove("r0", T0, claimed=True)
    with pytest.raises(Conflict) as caught:
        queue.check_claim("r0", "grace", is_admin=False)
    assert caught.value.code == "already_claimed"


def test_assigned_request_is_for_its_provider_or_an_admin() -> None:
    queue = _queue(1)
    queue.get("r0").assigned_to = "ada"
    with pytest.raises(Forbidden):
        queue.check_claim("r0", "grace", is_admin=False)
    assert queue.check_claim("r0", "boss", is_admin=True).id == "r0"
    assert queue.check_claim("r0", "ada", is_admin=False).id == "r0"


def test_grace_period_is_cancelled_by_a_reconnect_and_not_by_another_tab() -> None:
    queue = _queue(1)
    queue.connect("r0", "c1")
    queue.connect("r0", "c2")
    assert queue.disconnect("r0", "c1", T0) is None  # another tab is still open
    entry = queue.disconnect("r0", "c2", T0)
    assert entry is not None
    epoch = entry.epoch
    queue.connect("r0", "c3")
    assert not queue.expired("r0", epoch)
    entry = queue.disconnect("r0", "c3", T0)
    assert entry is not None and queue.expired("r0", entry.epoch)


def test_answers_are_checked_against_their_field() -> None:
    fields = intake.DEFAULT_FIELDS
    assert intake.check_answer(fields, "state", " ca ") == "CA"
    assert intake.check_answer(fields, "phone", "+1 (555) 010-0100") == "+1 (555) 010-0100"
    with pytest.raises(BadRequest):
        intake.check_answer(fields, "consent", "yes")
    with pytest.raises(BadRequest):
        intake.check_answer(fields, "reason", 5)
    assert intake.missing(fields, {"reason": "x", "state": "CA", "consent": False}) == [
        "consent"]
    assert intake.check_patient("  Pat   Example ", "Pat@Example.org") == (
        "Pat Example", "pat@example.org")
