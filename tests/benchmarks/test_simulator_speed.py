"""How fast the simulator runs: simulated seconds per real second (printed, not asserted).

Run on demand: ``.venv/bin/pytest -s tests/benchmarks/test_simulator_speed.py``.
"""

from __future__ import annotations

import time

import pytest

from simulator.lab import Lab, simulate_curve
from simulator.scenario import load_shipped_scenario

pytestmark = pytest.mark.benchmark


def _rate(label: str, simulated_s: float, real_s: float) -> None:
    print(
        f"\n{label}: {simulated_s:.0f} simulated s in {real_s * 1000:.1f} ms real "
        f"= {simulated_s / real_s:,.0f} simulated s per real s"
    )


def test_full_90_minute_cycle_at_1_s_steps() -> None:
    scenario = load_shipped_scenario("heater-failure")
    lab = Lab(scenario)
    started = time.perf_counter()
    for _ in range(90 * 60):
        lab.advance(1.0)
    _rate("pasteuriser cycle, 1 s steps", lab.sim_time_s, time.perf_counter() - started)
    assert lab.pasteuriser_phase("P1") == "idle"


def test_normal_day_every_probe_sampled() -> None:
    scenario = load_shipped_scenario("normal-day")
    started = time.perf_counter()
    curve = simulate_curve(scenario, step_s=1.0)
    _rate(
        "normal-day curve, 6 probes, 1 s steps", curve[-1].sim_time_s, time.perf_counter() - started
    )


def test_a_day_of_cold_chain_in_one_call() -> None:
    lab = Lab(load_shipped_scenario("defrost"))
    started = time.perf_counter()
    lab.advance(24 * 3600.0)
    _rate(
        "freezer, one advance of 24 h (2 s sub-steps)",
        lab.sim_time_s,
        time.perf_counter() - started,
    )
