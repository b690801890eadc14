"""Readings evaluated per second on one core by the cycle, band and probe-health machines.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_evaluation_throughput.py -s``.
The goal is 200,000 readings/s per machine; the figures are printed, not asserted, since they
depend on the host. Readings are built beforehand: only the evaluation is timed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import pytest

from monitor.evaluation import (
    HOLDER58,
    BandMachine,
    BandSpec,
    CycleProbes,
    LotBacteriology,
    NewDay,
    ProbeHealth,
    ProbeHealthSpec,
    start_cycle,
)
from monitor.reading import Quality, Reading

pytestmark = pytest.mark.benchmark

S = 1_000_000_000
GOAL = 200_000
OK = Quality.OK


def water_bath_cycle(probes: tuple[str, ...]) -> list[Reading]:
    """A Holder curve sampled every second: 13 min up, 62 min plateau, 30 min cooling."""
    readings: list[Reading] = []
    for t in range(0, 105 * 60):
        if t < 13 * 60:
            value = 20.0 + 38.5 * t / (13 * 60)
        elif t < 75 * 60:
            value = 58.9 + 0.4 * math.sin(t / 37.0)
        else:
            value = 58.5 - 54.5 * (t - 75 * 60) / (30 * 60)
        for i, probe in enumerate(probes):
            readings.append(Reading(probe, t * S, value - 0.1 * i, OK))
    return readings


def fridge_days(days: int) -> list[Reading | NewDay]:
    """A fridge at 2.5–3.5 °C sampled every second, a door opening every hour, one long fault."""
    inputs: list[Reading | NewDay] = []
    for day in range(days):
        for s in range(86_400):
            t = day * 86_400 + s
            value = 3.0 + 0.5 * math.sin(t / 600.0)
            if s % 3600 < 120:
                value = 6.5  # door open for two minutes: an excursion that never alarms
            if day == 1 and 40_000 <= s < 42_000:
                value = 5.0  # a warm half hour: an alarmed excursion
            inputs.append(Reading("fridge-probe", t * S, value, OK))
        inputs.append(NewDay((day + 1) * 86_400 * S, f"day-{day + 1}"))
    return inputs


def best_rate(run_once: Callable[[], int], repeats: int = 3) -> float:
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        count = run_once()
        best = max(best, count / (time.perf_counter() - started))
    return best


def report(what: str, rate: float) -> None:
    verdict = "meets" if rate >= GOAL else "BELOW"
    print(f"\n{what}: {rate:,.0f} readings/s on one core ({verdict} the {GOAL:,}/s goal)")


@pytest.mark.parametrize("probes", [("ref",), ("ref-top", "ref-bottom")])
def test_cycle_throughput(probes: tuple[str, ...]) -> None:
    curve = water_bath_cycle(probes)
    lots = [LotBacteriology("L1", 1e3)]
    cycles = 40
    passed: list[bool] = []

    def run_once() -> int:
        passed.clear()
        for n in range(cycles):
            machine, _ = start_cycle(f"C{n}", 0, HOLDER58, lots, CycleProbes(probes, "bath"))
            feed = machine.feed
            for reading in curve:
                feed(reading)
            verdict = machine.verdict
            passed.append(verdict is not None and verdict.passed)
        return cycles * len(curve)

    rate = best_rate(run_once)
    assert all(passed)  # the curve is a good cycle: every reading went through the rules
    report(f"cycle machine, {len(probes)} reference probe(s)", rate)


def test_band_throughput() -> None:
    inputs = fridge_days(3)
    readings = sum(isinstance(item, Reading) for item in inputs)
    alarms: list[int] = []

    def run_once() -> int:
        band = BandMachine("F1", BandSpec.fridge(), ["fridge-probe"], "day-0", 0)
        feed, new_day = band.feed, band.new_day
        count = 0
        for item in inputs:
            if isinstance(item, Reading):
                for event in feed(item):
                    count += event.kind == "excursion_alarmed"
            else:
                new_day(item.ts, item.day)
        alarms.append(count)
        return readings

    rate = best_rate(run_once)
    assert alarms[-1] == 1  # door openings never alarm, the warm half hour does
    report("band machine, one probe", rate)


def test_probe_health_throughput() -> None:
    readings = [
        Reading("p1", t * S, 3.0 + (t % 7) * 0.01, OK if t % 5000 else Quality.FAULT)
        for t in range(300_000)
    ]
    spec = ProbeHealthSpec(1.0, stuck_after_s=600.0)

    def run_once() -> int:
        health = ProbeHealth("p1", spec, 0)
        feed = health.feed
        for reading in readings:
            feed(reading)
        return len(readings)

    report("probe-health machine", best_rate(run_once))
