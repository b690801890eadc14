"""A normal cycle raises no alarm at all: the simulator's and the demo's, however it is read.

The pasteuriser of config/examples/simulator.toml (the demo's) serves its probes over Modbus
as int16 tenths, polled every second (every 5 s in the demo); a monitor may poll every 10 s.
Read in tenths, the milk levels off at the setpoint as 63.0, 62.9, 63.0: docs/RULES.md,
How the hold is read from real probes, H6, makes those dips settling, recorded with no alarm,
so that an undisturbed cycle passes under either hold policy with nothing to acknowledge.
"""

from __future__ import annotations

from functools import cache

import pytest

from monitor.evaluation import CyclePolicy, Event, Input, Outcome
from monitor.evaluation.events import HoldSettling
from monitor.reading import Reading
from simulator.lab import simulate_curve
from simulator.models.probe import quantise
from tests.monitor.evaluation.curves import S
from tests.monitor.evaluation.simulated import (
    closing,
    judge_cycle,
    monitor_inputs,
    pasteuriser_probes,
    scenario,
)

MIN = 60.0
# The first cycle of each scenario is over (cooled below 6 °C) within 90 min of its start.
CYCLE_S = 90 * MIN


@cache
def polled(name: str, period_s: float) -> tuple[Input, ...]:
    """The first cycle's probes simulated every second, polled every ``period_s``."""
    sc = scenario(name)
    (pasteuriser,) = sc.pasteurisers
    end_s = pasteuriser.cycles[0].start_s + CYCLE_S
    samples = simulate_curve(sc, step_s=1.0, duration_s=end_s)
    return monitor_inputs(samples, pasteuriser_probes(pasteuriser), period_s)


def in_tenths(inputs: tuple[Input, ...]) -> list[Input]:
    """What an int16 register with a scale of 0.1 serves: each value to the nearest tenth."""
    return [
        Reading(i.probe_id, i.ts, quantise(i.value, 0.1), i.quality)
        if isinstance(i, Reading)
        else i
        for i in inputs
    ]


def judged(name: str, period_s: float, tenths: bool, hold_policy: str) -> list[Event]:
    inputs = polled(name, period_s)
    policy = CyclePolicy(hold_policy=hold_policy)  # type: ignore[arg-type]
    return judge_cycle(scenario(name), in_tenths(inputs) if tenths else inputs, policy)[1]


@pytest.mark.parametrize("hold_policy", ["restart", "fail"])
@pytest.mark.parametrize("tenths", [False, True], ids=["simulated", "tenths"])
@pytest.mark.parametrize("period_s", [1.0, 5.0, 10.0])
@pytest.mark.parametrize("name", ["normal-day", "demo-day"])
def test_a_normal_cycle_passes_with_no_alarm(
    name: str, period_s: float, tenths: bool, hold_policy: str
) -> None:
    events = judged(name, period_s, tenths, hold_policy)
    verdict = closing(events).verdict
    assert verdict.outcome is Outcome.PASS, verdict.reasons
    assert [e for e in events if e.alarm_key is not None] == []


def test_read_in_tenths_every_second_the_milk_levels_off_with_settling_dips() -> None:
    # What makes the rule needed: without it, each of these would be a hold_interrupted alarm.
    for name in ("normal-day", "demo-day"):
        settling = [e for e in judged(name, 1.0, True, "fail") if isinstance(e, HoldSettling)]
        assert len(settling) >= 3, name
        assert all(e.value_c == 62.9 for e in settling)
        assert max(e.since_ts for e in settling) - min(e.since_ts for e in settling) < 120 * S
