"""Pasteurisation curves shaped as real devices send them, fed to the core as they come.

A third-party water-bath pasteuriser runs its own program (``device_curves.WaterBath``, after
Buffin et al. 2017): it does not judge the cycle, the monitor does. Each test breaks one rule
if the core breaks it: the settling of H6, the dips, gaps and probe faults of H2-H4, the
verdict of H7, the cooling of P10 (docs/RULES.md, Pasteurisation and How the hold is read
from real probes).
"""

from __future__ import annotations

import math

import pytest

from monitor.evaluation import HOLDER63, CycleMachine, CyclePolicy, Event, Input, Outcome, run
from monitor.evaluation.events import (
    CycleClosed,
    HoldCompleted,
    HoldInterrupted,
    HoldInterruptionEnded,
    HoldSettling,
    HoldStarted,
)
from tests.monitor.evaluation.curves import S, new_cycle
from tests.monitor.evaluation.device_curves import WaterBath, open_circuit, replaced, silent

MIN = 60.0
BATH = WaterBath()
END_S = 2 * 3600.0
# Minute 25 of the device's own hold, at a poll of both the 1 s and the 10 s probe.
HOLD_25_MIN_S = 10 * math.ceil((BATH.crossing_s + 25 * MIN) / 10)


def judge(
    inputs: list[Input], period_s: float, hold_policy: str = "restart"
) -> tuple[CycleMachine, list[Event]]:
    """A holder63 cycle started with the device, its gap limit 3 periods of its probe."""
    policy = CyclePolicy(hold_policy=hold_policy, gap_limit_s=3 * period_s)  # type: ignore[arg-type]
    cycle = new_cycle(program=HOLDER63, policy=policy)
    return cycle, run(cycle, inputs)


def verdict_of(events: list[Event]) -> tuple[str, tuple[str, ...]]:
    (closed,) = [e for e in events if isinstance(e, CycleClosed)]
    return closed.verdict.outcome.value, closed.verdict.reasons


def only_breaks(events: list[Event]) -> list[HoldInterrupted]:
    return [e for e in events if isinstance(e, HoldInterrupted)]


@pytest.mark.parametrize("hold_policy", ["restart", "fail"])
@pytest.mark.parametrize("period_s", [1.0, 10.0])
def test_the_buffin_water_bath_curve_passes_with_no_alarm(
    period_s: float, hold_policy: str
) -> None:
    cycle, events = judge(BATH.inputs(period_s, END_S), period_s, hold_policy)
    assert [e for e in events if e.alarm_key is not None] == []
    verdict = cycle.verdict
    assert verdict is not None
    assert verdict.outcome is Outcome.PASS, verdict.reasons
    m = verdict.metrics
    assert m.to_mark_s is not None
    assert abs(m.to_mark_s - 12.5 * MIN) <= 15  # 58 °C in 12.5 min, read in tenths
    assert m.hold_min_c is not None
    assert m.hold_max_c is not None
    assert 63.0 <= m.hold_min_c <= m.hold_max_c <= 63.7  # 63.35 ± 0.3 °C, in tenths
    assert m.plateau_s is not None
    assert m.plateau_s > 30 * MIN
    if period_s == 1.0:  # read every second, the milk levels off: 63.0, 62.9, 63.0
        settling = [e for e in events if isinstance(e, HoldSettling)]
        assert len(settling) >= 3
        assert max(e.since_ts for e in settling) <= round(BATH.crossing_s * S)


@pytest.mark.parametrize("period_s", [1.0, 10.0])
def test_a_dip_of_a_tenth_at_minute_25_restarts_the_hold_and_alarms(period_s: float) -> None:
    inputs = replaced(BATH.inputs(period_s, END_S), HOLD_25_MIN_S, HOLD_25_MIN_S + 20, 62.9)
    _, events = judge(inputs, period_s, "restart")
    dip, cooling = only_breaks(events)  # the device's cooling breaks the restarted hold
    assert cooling.since_ts > round(BATH.cooling_s * S)
    assert (dip.cause, dip.value_c, dip.since_ts) == ("dip", 62.9, round(HOLD_25_MIN_S * S))
    assert dip.alarm_key == "hold_interrupted:C1"
    (ended,) = [
        e for e in events if isinstance(e, HoldInterruptionEnded) and e.since_ts == dip.since_ts
    ]
    assert ended.recovered
    assert ended.ts == round((HOLD_25_MIN_S + 20) * S)
    restarted = [e for e in events if isinstance(e, HoldStarted)][-1]
    assert restarted.ts == ended.ts  # the timer counts from zero again
    # The device cools 10 min later: the restarted hold is never complete.
    outcome, (cause, *entries) = verdict_of(events)
    assert outcome == "fail"
    assert cause.startswith("cooled before the hold was complete")
    named = [entry.split(" (lowest")[0] for entry in entries]
    assert named[-2:] == [dip.reason, cooling.reason]  # after any settling, in order


@pytest.mark.parametrize("period_s", [1.0, 10.0])
def test_a_dip_of_a_tenth_at_minute_25_fails_under_policy_fail(period_s: float) -> None:
    inputs = replaced(BATH.inputs(period_s, END_S), HOLD_25_MIN_S, HOLD_25_MIN_S + 20, 62.9)
    _, events = judge(inputs, period_s, "fail")
    (dip,) = only_breaks(events)
    assert dip.alarm_key is not None
    outcome, reasons = verdict_of(events)
    assert (outcome, events[-1].ts) == ("fail", dip.ts)
    assert reasons[0].endswith("under hold policy 'fail'")
    assert reasons[-1] == dip.reason  # the last interruption named last, after any settling


@pytest.mark.parametrize(
    ("period_s", "gap_s", "breaks"), [(1.0, 30, True), (10.0, 30, False), (10.0, 40, True)]
)
def test_a_silence_mid_hold_longer_than_three_periods_is_a_gap(
    period_s: float, gap_s: int, breaks: bool
) -> None:
    # docs/RULES.md, How the hold is read from real probes, H3: 3 sample periods; exactly the
    # limit (30 s for a 10 s probe) is no gap.
    last_s = BATH.crossing_s + 15 * MIN
    last_s -= math.fmod(last_s, period_s)  # a poll
    inputs = silent(BATH.inputs(period_s, END_S), last_s + 1, last_s + gap_s)
    _, events = judge(inputs, period_s)
    gaps = [e for e in only_breaks(events) if e.cause == "gap"]
    assert bool(gaps) is breaks
    if not breaks:
        assert verdict_of(events)[0] == "pass"
        return
    (gap,) = gaps
    assert (gap.cause, gap.since_ts, gap.value_c) == ("gap", round(last_s * S), None)
    assert f"no valid data from probe ref for more than 0:00:{3 * period_s:02.0f}" in gap.reason
    outcome, (_, *entries) = verdict_of(events)
    assert outcome == "fail"  # restarted 15 min in: the device cools before the hold is done
    assert f"{gap.reason} (valid data back after 0:00:{gap_s})" in entries


@pytest.mark.parametrize("hold_policy", ["restart", "fail"])
def test_an_open_circuit_on_the_reference_bottle_is_named_in_the_verdict(
    hold_policy: str,
) -> None:
    start_s = BATH.crossing_s + 20 * MIN
    start_s -= math.fmod(start_s, 1.0)
    inputs = open_circuit(BATH.inputs(1.0, END_S), start_s, start_s + 60)
    _, events = judge(inputs, 1.0, hold_policy)
    fault = only_breaks(events)[0]
    assert (fault.cause, fault.probe_id) == ("fault", "ref")
    assert fault.since_ts == round((start_s - 1) * S)  # the last valid reading
    assert "probe ref faulty (fault value 3276.7)" in fault.reason
    outcome, (cause, *entries) = verdict_of(events)
    assert outcome == "fail"
    assert any(entry.startswith(fault.reason) for entry in entries)
    if hold_policy == "fail":
        assert cause.endswith("under hold policy 'fail'")
        assert entries[-1].endswith("(no valid data again before the verdict)")
    else:
        assert cause.startswith("cooled before the hold was complete")
        assert f"{fault.reason} (valid data back after 0:01:01)" in entries


def test_slow_cooling_fails_for_cooling() -> None:
    # Lukewarm chilled water: the milk is still at 9 °C 60 min after the device's hold.
    start_c = BATH.true_c(BATH.cooling_s - 1e-9)
    tau_s = 3600 / math.log((start_c - 4.0) / (9.0 - 4.0))
    slow = WaterBath(water_c=4.0, cool_tau_s=tau_s)
    assert slow.true_c(slow.cooling_s + 3600) == pytest.approx(9.0)
    _, events = judge(slow.inputs(10.0, 3 * 3600.0), 10.0)
    (held,) = [e for e in events if isinstance(e, HoldCompleted)]
    assert held.held_s == 30 * MIN
    outcome, (cause, *entries) = verdict_of(events)
    assert outcome == "fail"
    assert cause.startswith("milk not below 6.00 °C within 1:00:00 of the end of the hold")
    assert entries == []  # nothing interrupted the hold
    assert events[-1].ts - held.ts == round(3610 * S)  # the first poll past the limit
