"""Exact first-order lags never overshoot, whatever the step."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.models.thermal import equilibrium, lag_factor, relax

temps = st.floats(min_value=-50, max_value=100)


@settings(max_examples=200)
@given(value=temps, target=temps, dt=st.floats(0, 1e6), tau=st.floats(0.1, 1e5))
def test_relax_stays_between_value_and_target(
    value: float, target: float, dt: float, tau: float
) -> None:
    new = relax(value, target, lag_factor(dt, tau))
    assert min(value, target) - 1e-9 <= new <= max(value, target) + 1e-9


def test_two_half_steps_equal_one_step() -> None:
    half = lag_factor(5.0, 60.0)
    assert relax(relax(80.0, 20.0, half), 20.0, half) == pytest.approx(
        relax(80.0, 20.0, lag_factor(10.0, 60.0))
    )


def test_one_time_constant_leaves_a_third_of_the_gap() -> None:
    assert relax(100.0, 0.0, lag_factor(30.0, 30.0)) == pytest.approx(100.0 / math.e)


def test_equilibrium_weighs_links_and_power() -> None:
    assert equilibrium(((1.0, 20.0), (3.0, 0.0)), 0.0) == pytest.approx(5.0)
    assert equilibrium(((2.0, 20.0),), -40.0) == pytest.approx(0.0)


def test_bad_constants_are_refused() -> None:
    with pytest.raises(ValueError, match="time constant"):
        lag_factor(1.0, 0.0)
    with pytest.raises(ValueError, match="conductance"):
        equilibrium(((0.0, 20.0),), 10.0)
