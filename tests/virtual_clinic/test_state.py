"""ProviderState without a loop: availability, requests and their answers, the snapshot."""

from __future__ import annotations

import pytest
from vclinic_virtual_clinic import message as m
from vclinic_virtual_clinic.state import ProviderState

from vclinic.errors import Conflict, NotFound


def ask(state: ProviderState, request_id: str, requester: str = "station", now: float = 100.0
        ) -> tuple[dict, list]:
    return state.handle(m.RequestSession(request_id, "org", "Dr Ada", requester, "Station",
                                         "svc", "General Practice", now, now + 60))


def available() -> ProviderState:
    state = ProviderState("ada")
    state.handle(m.SetAvailability("org", "Dr Ada", True, 0.0))
    return state


def test_request_alerts_provider_and_requester_and_arms_expiry() -> None:
    state = available()
    reply, effects = ask(state, "r1")
    assert reply["status"] == "pending" and reply["service_name"] == "General Practice"
    topics = [(e.topic, e.type) for e in effects if isinstance(e, m.Publish)]
    assert topics == [("user:station", "virtual_clinic.request_created"),
                      ("user:ada", "virtual_clinic.request_created")]
    assert m.ArmExpiry("r1", 160.0) in effects


def test_unavailable_provider_declines_at_once_without_alerting_the_provider() -> None:
    state = ProviderState("ada")
    reply, effects = ask(state, "r1")
    assert (reply["status"], reply["reason"]) == ("declined", "provider_unavailable")
    assert [e.topic for e in effects] == ["user:station"]


def test_going_unavailable_declines_every_pending_request() -> None:
    state = available()
    ask(state, "r1", "a")
    ask(state, "r2", "b", now=101.0)
    _, effects = state.handle(m.SetAvailability("org", "Dr Ada", False, 102.0))
    told = {(e.topic, e.data["request"]["id"]) for e in effects
            if e.type == "virtual_clinic.request_declined"}
    assert told == {("user:a", "r1"), ("user:b", "r2"), ("user:ada", "r1"), ("user:ada", "r2")}
    assert state.status(None)["requests"] == []
    assert state.status("a")["requests"][0]["reason"] == "provider_went_unavailable"


def test_second_accept_is_a_conflict() -> None:
    state = available()
    ask(state, "r1")
    state.check_accept("r1")
    state.accepted("r1", "s1", 110.0)
    with pytest.raises(Conflict) as caught:
        state.check_accept("r1")
    assert caught.value.code == "request_already_accepted"
    with pytest.raises(NotFound):
        state.check_accept("nope")


def test_newest_request_first_and_one_pending_per_requester() -> None:
    state = available()
    ask(state, "old", "a", now=100.0)
    ask(state, "new", "b", now=105.0)
    assert [r["id"] for r in state.status(None)["requests"]] == ["new", "old"]
    with pytest.raises(Conflict):
        ask(state, "again", "a", now=106.0)


def test_expiry_only_when_due_and_dismiss_clears_it() -> None:
    state = available()
    ask(state, "r1")
    assert state.handle(m.Expire("r1", 150.0)) == (None, [m.ArmExpiry("r1", 160.0)])
    _, effects = state.handle(m.Expire("r1", 160.0))
    assert {e.type for e in effects} == {"virtual_clinic.request_expired"}
    with pytest.raises(Conflict):
        ask(state, "r2", now=170.0)  # dismiss first
    with pytest.raises(NotFound):
        state.handle(m.Dismiss("r1", "someone-else"))
    state.handle(m.Dismiss("r1", "station"))
    assert state.status("station")["requests"] == []


def test_cancel_by_requester_only() -> None:
    state = available()
    ask(state, "r1")
    with pytest.raises(NotFound):
        state.handle(m.Cancel("r1", "someone-else", 101.0))
    reply, _ = state.handle(m.Cancel("r1", "station", 101.0))
    assert reply["status"] == "cancelled"
    assert state.status(None)["requests"] == []


def test_snapshot_round_trip_rearms_pending_timers() -> None:
    state = available()
    ask(state, "r1")
    ask(state, "r2", "other", now=90.0)
    state.handle(m.Decline("r2", "Busy", 95.0))
    again = ProviderState.from_dict("ada", state.to_dict())
    assert again.available is True
    assert again.restore() == [m.ArmExpiry("r1", 160.0)]
    assert again.status("other")["requests"][0]["note"] == "Busy"
