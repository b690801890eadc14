"""Property tests of the cycle against a brute-force oracle written from docs/RULES.md alone.

The oracle: a cycle passes iff some window of the program's length exists in which every
usable reference reading is at or above the setpoint and no two consecutive ones are further
apart than the gap limit, no reading after the first one at the setpoint and before the end
of the first such window is below the setpoint minus the cooling fail margin (H7), and the
first reading below the cooling target after that end comes within the cooling limit. With
policy ``fail`` the window must start at the first reading that reaches the setpoint or
later, provided that until it every dip from the setpoint came within the settling time of
that first reading (H6) and no silence followed a reading at the setpoint. Faulty and
non-finite readings are no evidence; bath readings and ticks never change the verdict.
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.evaluation import (
    CycleMachine,
    CyclePolicy,
    CycleProbes,
    Input,
    LotBacteriology,
    Program,
    Tick,
    run,
    start_cycle,
)
from monitor.evaluation.params import MAX_PROGRAM_S
from monitor.reading import Quality, Reading
from tests.monitor.evaluation.curves import S

SETPOINT, TARGET, COOLED = 58.0, 6.0, 53.0
HOLD_NS, GAP_NS, COOL_NS, SETTLE_NS = 60 * S, 3 * S, 40 * S, 5 * S
PROGRAM = Program("short", SETPOINT, HOLD_NS / S, 1e4)


def make_cycle(hold_policy: str) -> CycleMachine:
    policy = CyclePolicy(
        hold_policy=hold_policy,  # type: ignore[arg-type]
        gap_limit_s=GAP_NS / S,
        come_up_limit_s=MAX_PROGRAM_S,  # the longest allowed: never reached by these curves
        cooling_limit_s=COOL_NS / S,
        settle_s=SETTLE_NS / S,
        cooling_fail_margin_c=SETPOINT - COOLED,
    )
    lot = LotBacteriology("L1", 1.0)
    machine, _ = start_cycle("P", 0, PROGRAM, [lot], CycleProbes(("ref",), "bath"), policy)
    return machine


def usable(reading: Reading) -> bool:
    return (
        reading.quality is not Quality.FAULT
        and not math.isnan(reading.value)
        and (abs(reading.value) != math.inf)
    )


def may_start_under_fail(points: list[tuple[int, float]], first: int, i: int) -> bool:
    """Policy ``fail``: nothing failed the cycle from the first crossing up to ``i``."""
    for k in range(first + 1, i + 1):
        (t_before, v_before), (t, v) = points[k - 1], points[k]
        if v_before < SETPOINT:
            continue  # the hold was not running: neither a dip nor a gap breaks it
        if t - t_before > GAP_NS:
            return False  # a gap is never settling
        if v < SETPOINT and t - points[first][0] > SETTLE_NS:
            return False
    return True


def oracle_passes(inputs: list[Input], hold_policy: str) -> bool:
    points = [
        (r.ts, r.value)
        for r in inputs
        if isinstance(r, Reading) and r.probe_id == "ref" and usable(r)
    ]
    first = next((i for i, (_, v) in enumerate(points) if v >= SETPOINT), None)
    if first is None:
        return False
    # earliest index at which some valid window of the program's length ends
    best_end: int | None = None
    for i in range(first, len(points)):
        if points[i][1] < SETPOINT:
            continue
        if hold_policy == "fail" and not may_start_under_fail(points, first, i):
            break  # the cycle failed before i: no later start either
        for j in range(i, len(points)):
            if points[j][1] < SETPOINT or (j > i and points[j][0] - points[j - 1][0] > GAP_NS):
                break
            if points[j][0] - points[i][0] >= HOLD_NS:
                best_end = j if best_end is None else min(best_end, j)
                break
    if best_end is None:
        return False
    if any(v < COOLED for _, v in points[first + 1 : best_end]):
        return False  # cooled before the hold was complete: failed at once
    end_ts = points[best_end][0]
    cooled = next((t for t, v in points[best_end + 1 :] if v < TARGET), None)
    return cooled is not None and cooled - end_ts <= COOL_NS


STEPS_TIGHT = st.sampled_from([S // 2, S, S, S, 2 * S, 3 * S])
STEPS_LOOSE = st.sampled_from([S, 2 * S, 3 * S, 3 * S + 1, 5 * S, 30 * S])
QUALITIES = st.sampled_from([Quality.OK] * 30 + [Quality.OUT_OF_RANGE, Quality.FAULT])
VALUES = {
    "hot": st.one_of(st.just(SETPOINT), st.floats(SETPOINT, 62.0)),
    "dip": st.one_of(st.just(57.99), st.floats(40.0, SETPOINT, exclude_max=True)),
    "cold": st.one_of(st.just(TARGET), st.floats(0.0, 12.0)),
    "odd": st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308]),
}


SEGMENT_KINDS = st.sampled_from(["hot", "hot", "hot", "dip", "cold", "cold", "odd"])
# A hold of 60 s takes about 42 tight steps: long enough hot stretches end near it, so that
# both cooling in time and too late happen often.
SEGMENT_LENGTHS = st.one_of(st.integers(1, 90), st.integers(40, 60))


@st.composite
def curves(draw: st.DrawFn) -> list[Input]:
    """Random sample times and values around the setpoint and the cooling target."""
    segments = draw(st.lists(st.tuples(SEGMENT_KINDS, SEGMENT_LENGTHS), min_size=1, max_size=4))
    if draw(st.booleans()):  # end on a plausible hold then cooling, often but not always
        segments += [("hot", draw(st.integers(40, 60))), ("cold", draw(st.integers(1, 40)))]
    inputs: list[Input] = []
    ts = draw(st.integers(0, 5 * S))
    for kind, length in segments:
        steps = draw(st.sampled_from([STEPS_TIGHT, STEPS_TIGHT, STEPS_LOOSE]))
        for _ in range(length):
            step = draw(steps)
            if draw(st.integers(0, 10)) == 0:  # time passing, never ahead of the next reading
                inputs.append(Tick(ts + draw(st.integers(-2 * S, step))))
            ts += step
            inputs.append(Reading("ref", ts, draw(VALUES[kind]), draw(QUALITIES)))
            if draw(st.integers(0, 10)) == 0:
                inputs.append(Reading("bath", ts, draw(st.floats(allow_nan=True)), Quality.OK))
    return inputs


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curve=curves(), hold_policy=st.sampled_from(["restart", "fail"]))
def test_the_verdict_is_pass_iff_the_oracle_finds_a_hold_and_a_cooling(
    curve: list[Input], hold_policy: str
) -> None:
    cycle = make_cycle(hold_policy)
    run(cycle, curve)
    expected = oracle_passes(curve, hold_policy)
    verdict = cycle.verdict
    assert (verdict is not None and verdict.passed) is expected
    # a long silence afterwards closes every cycle whose hold ended, and changes no pass
    run(cycle, [Tick(10**6 * S)])
    if cycle.state.hold_completed_ts is not None:
        assert cycle.closed
    assert (cycle.verdict is not None and cycle.verdict.passed) is expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curve=curves(), cut=st.integers(0, 400), hold_policy=st.sampled_from(["restart", "fail"]))
def test_same_input_same_events_even_across_a_restore(
    curve: list[Input], cut: int, hold_policy: str
) -> None:
    first, second = make_cycle(hold_policy), make_cycle(hold_policy)
    events = run(first, curve)
    assert run(second, curve) == events
    assert [e.fields() for e in events] == [e.fields() for e in run(make_cycle(hold_policy), curve)]
    part = make_cycle(hold_policy)
    head = run(part, curve[:cut])
    resumed = CycleMachine.restore(part.setup, json.loads(json.dumps(part.snapshot())))
    assert head + run(resumed, curve[cut:]) == events
