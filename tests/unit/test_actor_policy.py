"""Supervision decisions, without an event loop."""

from __future__ import annotations

import pytest

from vclinic.actors import Restart, RestartIntensity, should_restart


@pytest.mark.parametrize(
    ("restart", "crashed", "expected"),
    [
        (Restart.PERMANENT, True, True),
        (Restart.PERMANENT, False, True),
        (Restart.TRANSIENT, True, True),
        (Restart.TRANSIENT, False, False),
        (Restart.TEMPORARY, True, False),
        (Restart.TEMPORARY, False, False),
    ],
)
def test_restart_type_decides_whether_an_exited_child_comes_back(
    restart: Restart, crashed: bool, expected: bool
) -> None:
    error = RuntimeError("boom") if crashed else None
    assert should_restart(restart, error) is expected


def test_intensity_refuses_the_restart_beyond_the_limit_within_the_period() -> None:
    window = RestartIntensity(intensity=3, period=5.0)
    assert [window.allow(t) for t in (0.0, 1.0, 2.0)] == [True, True, True]
    assert window.allow(3.0) is False


def test_restarts_older_than_the_period_no_longer_count() -> None:
    window = RestartIntensity(intensity=3, period=5.0)
    for t in (0.0, 1.0, 2.0):
        assert window.allow(t)
    assert window.allow(5.0) is True  # the restart at 0.0 left the window
    assert window.recent == 3


def test_restarts_spread_wider_than_the_period_are_always_allowed() -> None:
    window = RestartIntensity(intensity=3, period=5.0)
    assert all(window.allow(t * 2.0) for t in range(100))


def test_zero_intensity_escalates_on_the_first_crash() -> None:
    assert RestartIntensity(intensity=0, period=1.0).allow(0.0) is False


@pytest.mark.parametrize(("intensity", "period"), [(-1, 5.0), (3, 0.0)])
def test_nonsensical_intensity_settings_are_refused(intensity: int, period: float) -> None:
    with pytest.raises(ValueError):
        RestartIntensity(intensity, period)
