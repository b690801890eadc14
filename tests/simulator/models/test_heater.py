"""The PI heater: full power far below target, none above, no offset at steady state."""

from __future__ import annotations

import pytest

from simulator.models.heater import PiHeater


def test_power_is_clamped_to_the_heater() -> None:
    heater = PiHeater(3000.0, 2.0, 300.0)
    assert heater.demand_w(10.0, 1.0) == 3000.0
    heater.reset()
    assert heater.demand_w(-5.0, 1.0) == 0.0


def test_integral_removes_the_steady_offset() -> None:
    # A body losing 500 W at its target: the integral alone must supply it at zero error.
    heater = PiHeater(3000.0, 2.0, 300.0)
    for _ in range(5000):
        heater.demand_w(0.5, 1.0)
    assert heater.demand_w(0.0, 1.0) == 3000.0  # wound up to its clamp, no further


def test_integral_is_clamped_so_a_long_failure_does_not_wind_up_forever() -> None:
    heater = PiHeater(1000.0, 1.0, 10.0)
    for _ in range(10_000):
        heater.demand_w(5.0, 1.0)
    # Once above target the output falls at once rather than after unwinding a huge integral.
    assert heater.demand_w(-1.0, 1.0) == pytest.approx(0.0)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="must all be > 0"):
        PiHeater(0.0, 2.0, 300.0)
