"""The public calendar's slot arithmetic, with no database or event loop."""

from __future__ import annotations

import datetime as dt

import pytest
from vclinic_on_demand import slots

from vclinic.errors import BadRequest

MONDAY_9 = [{"day": "monday", "start": "09:00", "end": "10:10"}]


def test_a_range_is_cut_into_whole_slots_in_the_clinics_time_zone() -> None:
    # Sunday 1 March 2026, noon UTC: the next 14 days hold two Mondays.
    now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    starts = slots.weekly_starts(MONDAY_9, "Europe/Paris", 30, now)
    # 09:00 and 09:30 Paris (UTC+1 in winter); 10:00-10:10 is too short for a slot.
    assert starts == [dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 9, 8, 30, tzinfo=dt.UTC)]


def test_local_hours_survive_a_daylight_saving_change() -> None:
    # Europe moves to summer time on Sunday 29 March 2026: 09:00 Paris is then 07:00 UTC.
    now = dt.datetime(2026, 3, 22, 12, 0, tzinfo=dt.UTC)
    starts = slots.weekly_starts(MONDAY_9, "Europe/Paris", 60, now)
    assert starts == [dt.datetime(2026, 3, 23, 8, 0, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)]


def test_past_times_and_times_beyond_fourteen_days_are_not_offered() -> None:
    now = dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC)  # Monday 09:15 Paris
    starts = slots.weekly_starts(MONDAY_9, "Europe/Paris", 30, now)
    # 09:00 today has begun; 09:30 on the 16th is past the fourteen days.
    assert starts == [dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 9, 8, 30, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 16, 8, 0, tzinfo=dt.UTC)]


def test_an_appointment_takes_every_slot_it_overlaps() -> None:
    base = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    starts = [base + dt.timedelta(minutes=30 * i) for i in range(4)]
    busy = [base + dt.timedelta(minutes=45)]  # a staff appointment off the grid
    assert slots.free(starts, busy, 30) == [starts[0], starts[3]]


@pytest.mark.parametrize(("ranges", "code"), [
    ([{"day": "someday", "start": "09:00", "end": "10:00"}], "invalid_hours"),
    ([{"day": "monday", "start": "9am", "end": "10:00"}], "invalid_hours"),
    ([{"day": "monday", "start": "10:00", "end": "09:00"}], "invalid_hours"),
    ([{"day": "monday", "start": "09:00", "end": "11:00"},
      {"day": "monday", "start": "10:00", "end": "12:00"}], "invalid_hours"),
])
def test_bad_weekly_hours_are_refused(ranges: list[dict[str, str]], code: str) -> None:
    with pytest.raises(BadRequest) as caught:
        slots.check_hours(ranges)
    assert caught.value.code == code


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(BadRequest) as caught:
        slots.check_zone("Mars/Olympus")
    assert caught.value.code == "invalid_time_zone"
