"""A wall clock that steps either way is seen against the monotonic clock; a steady one is not."""

from __future__ import annotations

import pytest

from monitor.service.clock_watch import ClockWatch

S = 1_000_000_000
T0 = 1_780_300_800 * S


def test_a_steady_clock_is_no_step() -> None:
    watch = ClockWatch()
    for n in range(100):
        assert watch.check(T0 + n * S + (n % 3) * 10_000_000, float(n)) is None


@pytest.mark.parametrize("step_s", [-3600.0, -2.5, 2.5, 86400.0])
def test_a_step_either_way_is_named_with_both_readings(step_s: float) -> None:
    watch = ClockWatch()
    assert watch.check(T0, 100.0) is None
    step = watch.check(T0 + S + int(step_s * S), 101.0)
    assert step is not None
    assert step.step_s == pytest.approx(step_s)
    assert step.wall_before_ns == T0 + S
    assert step.wall_after_ns == T0 + S + int(step_s * S)
    assert ("back" if step_s < 0 else "forward") in str(step.fields()["reason"])


def test_two_seconds_is_not_yet_a_step() -> None:
    watch = ClockWatch()
    watch.check(T0, 0.0)
    assert watch.check(T0 + 3 * S, 1.0) is None
