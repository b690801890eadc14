"""The defrost timer: schedule, termination on temperature or time."""

from __future__ import annotations

import pytest

from simulator.models.defrost import DefrostParams, DefrostTimer


def test_starts_on_schedule_and_stops_when_warm() -> None:
    timer = DefrostTimer(DefrostParams(every_s=3600.0, max_duration_s=600.0, first_at_s=100.0))
    assert not timer.update(99.0, -20.0)
    assert timer.update(100.0, -20.0)
    assert timer.count == 1
    assert timer.update(200.0, -13.0)
    assert not timer.update(201.0, -12.0)  # termination thermostat, below the -10 °C gross limit
    assert not timer.update(3699.0, -20.0)
    assert timer.update(3700.0, -20.0)
    assert timer.count == 2


def test_stops_after_its_maximum_duration() -> None:
    timer = DefrostTimer(DefrostParams(every_s=3600.0, max_duration_s=600.0))
    assert timer.update(3600.0, -30.0)
    assert timer.update(4199.0, -30.0)
    assert not timer.update(4200.0, -30.0)
    assert not timer.active


def test_a_late_update_skips_missed_defrosts_instead_of_stacking_them() -> None:
    timer = DefrostTimer(DefrostParams(every_s=3600.0, max_duration_s=600.0))
    assert timer.update(5 * 3600.0 + 10, -20.0)
    assert not timer.update(5 * 3600.0 + 700, -20.0)
    assert not timer.update(6 * 3600.0 - 1, -20.0)
    assert timer.count == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"every_s": 0.0}, "must be > 0"),
        ({"every_s": 600.0, "max_duration_s": 600.0}, "shorter than its interval"),
        ({"first_at_s": -1.0}, "first defrost"),
    ],
)
def test_bad_schedules_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DefrostParams(**kwargs)
