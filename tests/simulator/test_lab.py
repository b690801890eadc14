"""The Lab interface: time, ids, manual cycles, determinism and ``simulate_curve``."""

from __future__ import annotations

import dataclasses
import math

import pytest

from simulator.lab import Lab, LabError, UnknownIdError, simulate_curve
from simulator.models.pasteuriser import PasteuriserPhase
from simulator.scenario import Scenario, load_shipped_scenario, parse_scenario

ONE_FRIDGE = """
[scenario]
name = "one fridge and an idle pasteuriser"
duration_min = 200

[[pasteurisers]]
id = "P9"
bath_probe = "P9-bath"
reference_probe = "P9-ref"

[[fridges]]
id = "F9"
probe = "F9-air"
"""


@pytest.fixture(scope="module")
def normal_day() -> Scenario:
    return load_shipped_scenario("normal-day")


def _outputs(scenario: Scenario, seconds: int) -> list[tuple[float | None, str | None]]:
    curve = simulate_curve(scenario, duration_s=seconds)
    return [(out.value_c, out.fault) for sample in curve for out in sample.outputs.values()]


def test_same_seed_gives_identical_outputs(normal_day: Scenario) -> None:
    assert _outputs(normal_day, 1200) == _outputs(normal_day, 1200)


def test_different_seeds_differ(normal_day: Scenario) -> None:
    other = dataclasses.replace(normal_day, seed=normal_day.seed + 1)
    assert _outputs(normal_day, 600) != _outputs(other, 600)


def test_a_new_lab_starts_at_zero_and_advances_by_exactly_dt(normal_day: Scenario) -> None:
    lab = Lab.from_scenario(normal_day)
    assert lab.sim_time_s == 0.0
    assert set(lab.probe_ids()) == {"P1-bath", "P1-ref", "P1-b1", "F1-air", "F2-air", "Z1-air"}
    lab.advance(0.5)
    lab.advance(7.25)
    lab.advance(0)
    assert lab.sim_time_s == 7.75


@pytest.mark.parametrize("dt", [-1.0, math.nan, math.inf])
def test_advance_refuses_bad_steps(normal_day: Scenario, dt: float) -> None:
    with pytest.raises(ValueError, match="advances by"):
        Lab(normal_day).advance(dt)


def test_long_advances_match_small_steps(normal_day: Scenario) -> None:
    coarse, fine = Lab(normal_day), Lab(normal_day)
    for _ in range(60):
        coarse.advance(60.0)  # split into 2 s sub-steps internally
    for _ in range(1800):
        fine.advance(2.0)
    for probe in coarse.probe_ids():
        assert coarse.true_value(probe) == pytest.approx(fine.true_value(probe), abs=0.05)


def test_unknown_ids_are_named(normal_day: Scenario) -> None:
    lab = Lab(normal_day)
    with pytest.raises(UnknownIdError, match="unknown probe 'nope'; known: P1-bath"):
        lab.probe_output("nope")
    with pytest.raises(UnknownIdError, match="unknown probe"):
        lab.true_value("nope")
    with pytest.raises(UnknownIdError, match="unknown link 'P1'"):
        lab.link_up("P1")
    with pytest.raises(UnknownIdError, match="unknown pasteuriser 'F1'"):
        lab.pasteuriser_phase("F1")
    with pytest.raises(UnknownIdError, match="unknown fridge or freezer 'P1'"):
        lab.enclosure_status("P1")


def test_probes_know_their_place(normal_day: Scenario) -> None:
    lab = Lab(normal_day)
    ref = lab.probe("P1-ref")
    assert (ref.owner, ref.role, ref.link) == ("P1", "reference", "pasteuriser-1")
    assert lab.probe("Z1-air").role == "air"
    assert lab.link_ids() == ["pasteuriser-1", "mqtt"]
    assert lab.pasteuriser_ids() == ["P1"]
    assert lab.enclosure_ids() == ["F1", "F2", "Z1"]


def test_outputs_are_noisy_but_close_to_the_truth(normal_day: Scenario) -> None:
    lab = Lab(normal_day)
    errors = []
    for _ in range(300):
        lab.advance(1.0)
        out = lab.probe_output("P1-bath")
        assert out.fault is None
        assert out.value_c is not None
        errors.append(out.value_c - lab.true_value("P1-bath"))
    assert max(abs(e) for e in errors) < 0.2
    assert len(set(errors)) > 10  # not a constant offset
    f2 = lab.probe_output("F2-air").value_c
    assert f2 is not None
    assert (f2 / 0.0625) == pytest.approx(round(f2 / 0.0625), abs=1e-6)


def test_start_cycle_by_hand_runs_the_program() -> None:
    lab = Lab(parse_scenario(ONE_FRIDGE))
    margin_s = lab.scenario.pasteurisers[0].params.hold_margin_s
    assert lab.pasteuriser_phase("P9") == "idle"
    lab.advance(60)
    lab.start_cycle("P9", 58.0, 3600.0)
    assert lab.pasteuriser_phase("P9") == "heating"
    with pytest.raises(LabError, match="P9 is heating; a cycle starts only when idle"):
        lab.start_cycle("P9", 63.0, 1800.0)
    phases, refs = [], []
    for _ in range(150):
        lab.advance(60)
        phases.append(lab.pasteuriser_phase("P9"))
        refs.append(lab.true_value("P9-ref"))
    # The 60-min program and the device's margin, in minutes.
    assert phases.count(PasteuriserPhase.HOLDING) == pytest.approx(60 + margin_s / 60, abs=1)
    assert phases[-1] == "idle"
    status = lab.pasteuriser_status("P9")
    assert (status.setpoint_c, status.hold_s, status.cycles_started) == (58.0, 3600.0, 1)
    assert min(refs[phases.index(PasteuriserPhase.COOLING) :]) < 6.0


def test_start_cycle_refuses_an_impossible_program() -> None:
    lab = Lab(parse_scenario(ONE_FRIDGE))
    with pytest.raises(ValueError, match="setpoint"):
        lab.start_cycle("P9", 200.0, 1800.0)
    with pytest.raises(ValueError, match="hold time"):
        lab.start_cycle("P9", 63.0, 0.0)


def test_a_scheduled_cycle_on_a_busy_pasteuriser_is_a_clear_error() -> None:
    text = ONE_FRIDGE.replace(
        'reference_probe = "P9-ref"',
        'reference_probe = "P9-ref"\n'
        "[[pasteurisers.cycles]]\nstart_min = 1\nsetpoint_c = 63.0\nhold_min = 30\n"
        "[[pasteurisers.cycles]]\nstart_min = 20\nsetpoint_c = 63.0\nhold_min = 30\n",
    )
    lab = Lab(parse_scenario(text, source="busy.toml"))
    lab.advance(19 * 60)
    with pytest.raises(LabError, match=r"busy.toml: pasteurisers\[0\]\.cycles\[1\]: .* heating"):
        lab.advance(60)


def test_simulate_curve_samples_every_step(normal_day: Scenario) -> None:
    curve = simulate_curve(normal_day, ["P1-ref", "Z1-air"], step_s=10.0, duration_s=600)
    assert [sample.sim_time_s for sample in curve] == [10.0 * i for i in range(61)]
    t, outputs = curve[-1]
    assert t == 600.0
    assert set(outputs) == {"P1-ref", "Z1-air"}
    assert all(out.fault is None for _, outs in curve for out in outs.values())


def test_simulate_curve_refuses_unknown_probes_and_bad_steps(normal_day: Scenario) -> None:
    with pytest.raises(UnknownIdError):
        simulate_curve(normal_day, ["nope"])
    with pytest.raises(ValueError, match="step"):
        simulate_curve(normal_day, step_s=0)


def test_random_door_openings_come_from_the_seed() -> None:
    text = ONE_FRIDGE.replace('probe = "F9-air"', 'probe = "F9-air"\ndoor_openings_per_h = 4')
    scenario = parse_scenario(text)
    opened = []
    for seed in (1, 1, 2):
        lab = Lab(dataclasses.replace(scenario, seed=seed))
        times = []
        for _ in range(3 * 3600 // 5):
            lab.advance(5.0)
            if lab.enclosure_status("F9").door_opening > 0:
                times.append(lab.sim_time_s)
        opened.append(times)
    assert opened[0] == opened[1]
    assert opened[0] != opened[2]
    assert 2 * 60 < len(opened[0]) * 5 < 45 * 60  # ~12 openings of 10..40 s in 3 h
    # The openings are drawn per opening, not per step: a finer step sees the same ones.
    lab = Lab(dataclasses.replace(scenario, seed=1))
    while lab.enclosure_status("F9").door_opening == 0:
        lab.advance(1.0)
    assert lab.sim_time_s == pytest.approx(opened[0][0], abs=5.0)
