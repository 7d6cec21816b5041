"""The Visits rules without a loop: the link window to the minute, the waiting message in the
employee's time zone, the join policy's decisions for each side."""

from __future__ import annotations

import datetime as dt

from vclinic_visits import rules
from vclinic_visits.model import Visit
from vclinic_visits.policy import decide

from vclinic.api import Principal

END = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


def test_link_works_until_fifteen_minutes_after_the_scheduled_end() -> None:
    assert rules.link_open(END, END + dt.timedelta(minutes=15))
    assert not rules.link_open(END, END + dt.timedelta(minutes=15, seconds=1))
    assert rules.link_expires_at(END) == dt.datetime(2026, 12, 4, 10, 15, tzinfo=dt.UTC)


def test_waiting_message_uses_the_employees_local_time() -> None:
    sent = dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)
    assert rules.waiting_message(sent, "America/Toronto") == (
        "The client has not joined the session yet. The last invite was sent at 09:05.")
    assert rules.waiting_message(sent, "Not/AZone").endswith("sent at 13:05.")


def test_bad_times_are_refused() -> None:
    assert rules.check_times(END, END) == "A visit must end after it starts."
    assert rules.check_times(END, END + dt.timedelta(hours=25)) is not None
    assert rules.check_times(END.replace(tzinfo=None), END) is not None


def _visit(**fields: object) -> Visit:
    values = {"id": "v1", "employee_id": "emp", "session_id": "s1", "status": "scheduled",
              "client_participant_id": "p1", "ends_at": END, "session_ended_at": None}
    values.update(fields)
    return Visit(**values)


def _person(user_id: str = "emp", participant_id: str | None = None) -> Principal:
    guest = participant_id is not None
    return Principal(user_id=user_id, org_id="org", org_slug="org",  # type: ignore[arg-type]
                     roles=frozenset({"guest"} if guest else {"provider"}), name="x", email="",
                     session_id="c", csrf_token="t", is_station=False,  # type: ignore[arg-type]
                     guest_session_id="s1" if guest else None, participant_id=participant_id)


def test_policy_refuses_both_sides_after_the_window() -> None:
    late = END + dt.timedelta(minutes=16)
    on_time = END + dt.timedelta(minutes=14)
    employee, client = _person(), _person("", "p1")
    assert decide(_visit(), "s1", employee, True, on_time) is None
    assert decide(_visit(), "s1", client, True, on_time) is None
    refused = decide(_visit(), "s1", employee, True, late)
    assert refused is not None and refused.message == rules.LINK_EXPIRED
    refused = decide(_visit(), "s1", client, True, late)
    assert refused is not None and refused.message == rules.CLIENT_LINK_EXPIRED


def test_policy_gates_the_employee_on_clock_in_and_the_client_on_the_current_invite() -> None:
    now = END - dt.timedelta(minutes=30)
    refused = decide(_visit(), "s1", _person(), False, now)
    assert refused is not None and refused.code == "not_clocked_in"
    refused = decide(_visit(), "s1", _person("someone-else"), True, now)
    assert refused is not None and refused.code == "not_assigned"
    refused = decide(_visit(client_participant_id="p2"), "s1", _person("", "p1"), True, now)
    assert refused is not None and refused.code == "link_replaced"
    refused = decide(_visit(session_ended_at=now), "s1", _person("", "p1"), True, now)
    assert refused is not None and refused.message == rules.CLIENT_SESSION_OVER


def test_a_day_is_the_viewers_day() -> None:
    start, end = rules.day_bounds(dt.date(2026, 7, 1), "America/Toronto")
    assert start == dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 7, 2, 4, 0, tzinfo=dt.UTC)
    late = dt.datetime(2026, 7, 2, 2, 0, tzinfo=dt.UTC)  # 22:00 in Toronto
    assert rules.today(late, "America/Toronto") == dt.date(2026, 7, 1)


def test_visit_times_are_in_the_given_zone_with_the_end_date_when_it_differs() -> None:
    start = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)
    assert rules.visit_times(start, start + dt.timedelta(minutes=30), "Europe/Paris") == (
        "Monday 02 March 2026, 23:30 to Tuesday 03 March 2026, 00:00 (Europe/Paris)")
    assert rules.visit_times(start, start + dt.timedelta(minutes=20), None) == (
        "Monday 02 March 2026, 22:30 to 22:50 (UTC)")
