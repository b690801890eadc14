"""The pasteuriser model: program phases, bottles, stability with longer steps, faults."""

from __future__ import annotations

import random

import pytest

from simulator.models.pasteuriser import (
    NORMAL_INPUTS,
    PasteuriserInputs,
    PasteuriserModel,
    PasteuriserParams,
    PasteuriserPhase,
)


def _model() -> PasteuriserModel:
    return PasteuriserModel(PasteuriserParams(), 21.0, random.Random(1))


def _run(
    model: PasteuriserModel,
    seconds: float,
    dt: float = 1.0,
    inputs: PasteuriserInputs = NORMAL_INPUTS,
) -> None:
    for _ in range(round(seconds / dt)):
        model.step(dt, inputs)


def test_idle_before_a_cycle_the_bottles_wait_in_the_fridge() -> None:
    model = _model()
    _run(model, 600)
    assert model.phase is PasteuriserPhase.IDLE
    assert model.reference_c == 4.0
    assert model.bath_c == pytest.approx(21.0)
    assert model.status().heater_power_w == 0.0


def test_reference_bottle_is_full_and_slowest() -> None:
    taus = _model().bottle_time_constants_s()
    assert len(taus) == 20
    assert taus[0] == max(taus) == 310.0
    assert min(taus) < taus[0] * 0.95  # bottles of different fill differ


def test_a_second_cycle_loads_a_fresh_batch() -> None:
    model = _model()
    model.start_cycle(63.0, 60.0)
    first = model.bottle_time_constants_s()
    _run(model, 3 * 3600, dt=2.0)
    assert model.phase is PasteuriserPhase.IDLE
    model.start_cycle(58.0, 60.0)
    assert model.reference_c == 4.0
    assert model.bath_c == 58.0 + 0.5 + 2.0
    assert model.bottle_time_constants_s() != first
    assert model.status().cycles_started == 2


def test_start_is_refused_while_running() -> None:
    model = _model()
    model.start_cycle(63.0, 1800.0)
    with pytest.raises(RuntimeError, match="only when idle; the pasteuriser is heating"):
        model.start_cycle(63.0, 1800.0)


def test_hold_counts_from_the_reference_reaching_the_setpoint() -> None:
    model = _model()
    model.start_cycle(63.0, 600.0)
    t = 0
    while model.phase is PasteuriserPhase.HEATING:
        model.step(1.0)
        t += 1
    assert model.reference_c >= 63.0
    reached = t
    while model.phase is PasteuriserPhase.HOLDING:
        model.step(1.0)
        t += 1
    assert t - reached == 600 + model.params.hold_margin_s  # the program's hold, then its margin
    assert model.phase is PasteuriserPhase.COOLING


def _hold_length_s(params: PasteuriserParams, hold_s: float) -> int:
    """How many 1-s steps the program spends holding."""
    model = PasteuriserModel(params, 21.0, random.Random(1))
    model.start_cycle(63.0, hold_s)
    held = 0
    while model.phase is not PasteuriserPhase.COOLING:
        model.step(1.0)
        held += model.phase is PasteuriserPhase.HOLDING
    return held


def test_the_hold_runs_past_the_program_by_its_margin() -> None:
    # docs/RULES.md, Pasteurisation: real programs hold ~35 min for a 30-min hold.
    assert PasteuriserParams().hold_margin_s == 300.0
    assert _hold_length_s(PasteuriserParams(hold_margin_s=0.0), 600.0) == 600
    assert _hold_length_s(PasteuriserParams(hold_margin_s=120.0), 600.0) == 720
    assert _hold_length_s(PasteuriserParams(), 600.0) == 900
    with pytest.raises(ValueError, match=r"hold margin must be >= 0 s, got -1\.0"):
        PasteuriserParams(hold_margin_s=-1.0)


def _milestones(dt: float) -> tuple[list[float], list[float]]:
    """Times the reference reaches 58 °C, the hold starts, cooling starts, it is below 6 °C;
    and the reference sampled every 10 s while heating."""
    model = _model()
    model.start_cycle(63.0, 1800.0)
    times: dict[str, float] = {}
    heating: list[float] = []
    t = 0.0
    while "cold" not in times:
        model.step(dt)
        t += dt
        if model.phase is PasteuriserPhase.HEATING and t % 10 == 0:
            heating.append(model.reference_c)
        if model.reference_c >= 58.0:
            times.setdefault("58", t)
        if model.phase is not PasteuriserPhase.HEATING:
            times.setdefault("hold", t)
        if model.phase is PasteuriserPhase.COOLING:
            times.setdefault("cool", t)
            if model.reference_c < 6.0:
                times["cold"] = t
    return [times[k] for k in ("58", "hold", "cool", "cold")], heating


@pytest.mark.parametrize("dt", [2.0, 5.0])
def test_longer_steps_give_the_same_curve(dt: float) -> None:
    fine, fine_heating = _milestones(1.0)
    coarse, coarse_heating = _milestones(dt)
    for a, b in zip(fine, coarse, strict=True):
        assert b == pytest.approx(a, abs=2 * dt)
    for a, b in zip(fine_heating, coarse_heating, strict=False):
        assert b == pytest.approx(a, abs=0.3)


def test_without_heater_the_bath_cools_toward_the_room() -> None:
    model = _model()
    model.start_cycle(63.0, 1800.0)
    _run(model, 1800)
    before = model.bath_c
    _run(model, 600, inputs=PasteuriserInputs(heater_works=False))
    assert model.status().heater_power_w == 0.0
    assert 21.0 < model.bath_c < before - 2.0


def test_weaker_chilled_water_cools_slower() -> None:
    results = []
    for inputs in (
        PasteuriserInputs(),
        PasteuriserInputs(chilling_flow_fraction=0.2),
        PasteuriserInputs(chilled_water_c=10.0),
    ):
        model = _model()
        model.start_cycle(63.0, 60.0)
        while model.phase is not PasteuriserPhase.COOLING:
            model.step(1.0)
        _run(model, 20 * 60, inputs=inputs)
        results.append(model.reference_c)
    normal, weak, warm = results
    assert normal < 6.0
    assert weak > normal + 10
    assert warm > 10.0


def test_impossible_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 bottle"):
        PasteuriserParams(bottles=0)
    with pytest.raises(ValueError, match="heater_power_w must be > 0"):
        PasteuriserParams(heater_power_w=0.0)
    with pytest.raises(ValueError, match="smallest_fill"):
        PasteuriserParams(smallest_fill=0.0)
