"""Pasteurisation curves of the shipped scenarios have the shapes of real Holder cycles."""

from __future__ import annotations

import pytest

from tests.simulator.recording import Recording, recording


def _cycle_start(rec: Recording) -> float:
    return rec.scenario.pasteurisers[0].cycles[0].start_s


@pytest.fixture(scope="module")
def normal() -> Recording:
    return recording("normal-day")


def test_reference_reaches_58_in_10_to_15_min(normal: Recording) -> None:
    start = _cycle_start(normal)
    reached = normal.first_time([v >= 58.0 for v in normal.true["P1-ref"]])
    assert 10 * 60 <= reached - start <= 15 * 60


def test_hold_plateau_of_the_reference_stays_between_62_and_64(normal: Recording) -> None:
    holding = normal.phase_times("P1", "holding")
    margin_s = normal.scenario.pasteurisers[0].params.hold_margin_s
    assert holding[-1] - holding[0] == pytest.approx(30 * 60 + margin_s, abs=2)
    plateau = normal.between("P1-ref", holding[0], holding[-1] + 1)
    assert min(plateau) >= 63.0  # the milk proves the hold: never below the setpoint
    assert max(plateau) <= 64.0
    measured = [
        out.value_c
        for t, out in zip(normal.times, normal.outputs["P1-ref"], strict=True)
        if holding[0] <= t <= holding[-1]
    ]
    assert all(v is not None and 62.0 <= v <= 64.0 for v in measured)


def test_full_cycle_to_below_6_takes_66_to_79_min(normal: Recording) -> None:
    start = _cycle_start(normal)
    hold_end = normal.phase_times("P1", "cooling")[0]
    cold = normal.first_time([v < 6.0 for v in normal.true["P1-ref"]], after_s=hold_end)
    assert 66 * 60 <= cold - start <= 79 * 60  # ~76.5 min with the device's 35-min plateau
    assert 15 * 60 <= cold - hold_end <= 25 * 60  # well within the 60-minute rule


def test_bath_leads_the_reference(normal: Recording) -> None:
    bath, ref = normal.true["P1-bath"], normal.true["P1-ref"]
    # The phase of the previous sample is the one that drove the step to this sample.
    phases = [s.phase for s in normal.pasteurisers["P1"]]
    for b, r, phase in zip(bath[1:], ref[1:], phases, strict=False):
        if phase in ("heating", "holding"):
            assert b > r
        elif phase == "cooling":
            assert b < r


def test_bath_plateau_is_a_little_above_the_setpoint(normal: Recording) -> None:
    holding = normal.phase_times("P1", "holding")
    bath = normal.between("P1-bath", holding[0], holding[-1] + 1)
    assert min(bath) > 63.0
    assert max(bath) < 64.5
    assert max(normal.true["P1-bath"]) < 66.0  # never above setpoint + 3 °C


def test_reference_bottle_is_the_coldest_milk_while_heating(normal: Recording) -> None:
    heating = normal.phase_times("P1", "heating")
    ref = normal.between("P1-ref", heating[0], heating[-1] + 1)
    other = normal.between("P1-b1", heating[0], heating[-1] + 1)
    assert all(o >= r for o, r in zip(other, ref, strict=True))


def test_phases_run_in_order_and_end_idle(normal: Recording) -> None:
    phases = [s.phase for s in normal.pasteurisers["P1"]]
    sequence = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    assert sequence == ["idle", "heating", "holding", "cooling", "idle"]
    assert normal.pasteurisers["P1"][-1].cycles_started == 1


def test_heater_failure_dips_the_reference_during_the_hold() -> None:
    rec = recording("heater-failure")
    fault = rec.scenario.faults[0]
    holding = rec.phase_times("P1", "holding")
    assert holding[0] < fault.start_s < holding[-1]
    before = rec.between("P1-ref", holding[0], fault.start_s)
    assert min(before) >= 63.0
    dip = rec.between("P1-ref", fault.start_s, holding[-1])
    assert 60.5 < min(dip) < 62.5
    powers = [
        s.heater_power_w
        for t, s in zip(rec.times, rec.pasteurisers["P1"], strict=True)
        if fault.start_s < t <= fault.end_s
    ]
    assert max(powers) == 0.0
    bath = rec.between("P1-bath", fault.start_s, fault.end_s + 1)
    assert bath[-1] < bath[0] - 2.0
    # After the heater comes back, the milk is above the setpoint again before cooling.
    recovered = rec.between("P1-ref", holding[-1] - 60, holding[-1] + 1)
    assert min(recovered) >= 63.0


def test_slow_cooling_misses_the_60_minute_rule() -> None:
    rec = recording("slow-cooling")
    fault = rec.scenario.faults[0]
    hold_end = rec.phase_times("P1", "cooling")[0]
    assert fault.start_s <= hold_end < fault.end_s
    cold = rec.first_time([v < 6.0 for v in rec.true["P1-ref"]], after_s=hold_end)
    assert cold - hold_end > 60 * 60
    # The bath cannot get colder than the weak chiller's water while the fault lasts...
    assert min(rec.between("P1-bath", hold_end, fault.end_s)) > 7.0 - 0.01
    # ...and cools normally once it is over.
    assert cold < fault.end_s + 20 * 60


def test_reference_lost_mid_hold_is_silent_for_exactly_its_window() -> None:
    rec = recording("reference-lost")
    fault = rec.scenario.faults[0]
    holding = rec.phase_times("P1", "holding")
    assert holding[0] < fault.start_s
    assert fault.end_s < holding[-1]
    for t, out in zip(rec.times, rec.outputs["P1-ref"], strict=True):
        if fault.active_at(t):
            assert out.value_c is None
            assert out.fault == "no_answer"
        else:
            assert out.value_c is not None
            assert out.fault is None
    # The milk itself was fine: the device went on heating, only the evidence is missing.
    assert min(rec.between("P1-ref", fault.start_s, fault.end_s)) >= 63.0
