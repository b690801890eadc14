"""Come-up, recovery and cooling limits, overshoot, abort: boundaries on both sides."""

from __future__ import annotations

import pytest

from monitor.evaluation import AbortCycle, CycleMachine, CyclePolicy, Outcome, Phase, Tick
from monitor.evaluation.event_base import Effect
from monitor.evaluation.events import (
    CoolingCompleted,
    CycleAborted,
    CycleFailed,
    CyclePassed,
    OvershootEnded,
    OvershootStarted,
)
from tests.monitor.evaluation.curves import MIN, S, at, feed_all, flat, heated, kinds, new_cycle

HOLD_END_S = 600 + 3600


def held_cycle() -> CycleMachine:
    cycle = new_cycle()
    heated(cycle)
    feed_all(cycle, flat(610, HOLD_END_S, 58.5))
    assert cycle.phase is Phase.COOLING
    return cycle


@pytest.mark.parametrize(
    ("after_s", "passes"), [(59 * 60 + 59, True), (60 * 60, True), (60 * 60 + 1, False)]
)
def test_cooling_below_6_within_60_min(after_s: int, passes: bool) -> None:
    cycle = held_cycle()
    events = feed_all(cycle, [at(HOLD_END_S + 600, 30.0), at(HOLD_END_S + after_s, 5.99)])
    verdict = cycle.verdict
    assert verdict is not None
    assert verdict.passed is passes
    if passes:
        assert kinds(events)[-2:] == ["cooling_completed", "cycle_passed"]
        assert isinstance(events[-2], CoolingCompleted)
        assert events[-2].cooling_s == after_s
        assert verdict.metrics.cooling_s == after_s
    else:
        assert kinds(events)[-1] == "cycle_failed"
        assert "milk not below 6.00 °C within 1:00:00 of the end of the hold" in verdict.reasons[0]
        assert "last reading: ref 30.00 °C" in verdict.reasons[0]


def test_cooling_must_go_below_the_target_not_to_it() -> None:
    cycle = held_cycle()
    assert cycle.feed(at(HOLD_END_S + 60, 6.0)) == ()
    assert kinds(cycle.feed(at(HOLD_END_S + 70, 5.9)))[-1] == "cycle_passed"


@pytest.mark.parametrize(("tick_ns", "fails"), [(60 * MIN, False), (60 * MIN + 1, True)])
def test_a_tick_expires_the_cooling_limit(tick_ns: int, fails: bool) -> None:
    cycle = held_cycle()
    events = cycle.step(Tick(HOLD_END_S * S + tick_ns))
    assert (kinds(events) == ["cycle_failed"]) is fails


@pytest.mark.parametrize(("reach_ns", "fails"), [(90 * MIN, False), (90 * MIN + 1, True)])
def test_come_up_within_90_min(reach_ns: int, fails: bool) -> None:
    cycle = new_cycle()
    assert "come_up_slow" in kinds(feed_all(cycle, flat(0, 5300, 50.0, step_s=20)))
    assert cycle.tick(90 * MIN) == ()
    events = cycle.feed(at(reach_ns / S, 58.0))
    if fails:
        assert kinds(events) == ["come_up_slow_ended", "cycle_failed"]
        reason = cycle.verdict.reasons[0]  # type: ignore[union-attr]
        assert reason.startswith("setpoint 58.00 °C not reached within 1:30:00 of the start")
    else:
        assert kinds(events) == ["come_up_slow_ended", "hold_started"]


def test_come_up_failure_names_a_silent_probe() -> None:
    cycle = new_cycle(refs=("ref-a", "ref-b"))
    feed_all(cycle, flat(0, 600, 60.0, probe="ref-a"))
    assert kinds(cycle.tick(90 * MIN + 1)) == ["cycle_failed"]
    assert "(no valid data from probe ref-b)" in cycle.verdict.reasons[0]  # type: ignore[union-attr]


@pytest.mark.parametrize(("after_ns", "fails"), [(90 * MIN, False), (90 * MIN + 1, True)])
def test_an_interrupted_hold_must_resume_within_the_come_up_limit(
    after_ns: int, fails: bool
) -> None:
    # 57 °C: below the setpoint, not yet cooled (setpoint - 5 °C), after the settling time
    cycle = new_cycle()
    heated(cycle)
    feed_all(cycle, flat(610, 790, 58.5))
    assert kinds(cycle.feed(at(800, 57.0))) == ["hold_interrupted"]
    events = cycle.tick(800 * S + after_ns)
    assert (kinds(events) == ["hold_interruption_ended", "cycle_failed"]) is fails
    if fails:
        reason = cycle.verdict.reasons[0]  # type: ignore[union-attr]
        assert "hold not resumed within 1:30:00 of its interruption at 0:13:20" in reason


@pytest.mark.parametrize(("value", "overshoot"), [(61.0, False), (61.01, True)])
def test_overshoot_above_setpoint_plus_3(value: float, overshoot: bool) -> None:
    cycle = new_cycle()
    heated(cycle)
    events = cycle.feed(at(610, value))
    assert (kinds(events) == ["overshoot_started"]) is overshoot
    if overshoot:
        started = events[0]
        assert isinstance(started, OvershootStarted)
        assert (started.value_c, started.limit_c, started.effect) == (61.01, 61.0, Effect.RAISE)
        feed_all(cycle, [at(620, 62.5), at(630, 61.7)])
        ended = cycle.feed(at(640, 61.0))
        assert isinstance(ended[0], OvershootEnded)
        assert (ended[0].since_ts, ended[0].peak_c, ended[0].duration_s) == (610 * S, 62.5, 30.0)
        assert cycle.metrics().overshoots == 1


def test_conditions_still_active_are_cleared_when_the_cycle_closes() -> None:
    cycle = new_cycle()
    heated(cycle)
    cycle.feed(at(610, 65.0))
    cycle.feed(at(620, 57.0))  # overshoot cleared... then a dip
    cycle.feed(at(630, 70.0))
    cycle.feed(at(640, 57.5))
    cycle.feed(at(650, 64.5))
    events = cycle.abort(660 * S, "alice", "pump failure")
    assert kinds(events) == ["overshoot_ended", "cycle_aborted"]
    closed = events[-1]
    assert isinstance(closed, CycleAborted)
    assert closed.verdict.outcome is Outcome.ABORTED
    assert closed.verdict.reasons == ("aborted by alice: pump failure",)
    assert closed.fields()["reasons"] == "aborted by alice: pump failure"
    assert cycle.phase is Phase.ABORTED


def test_abort_after_an_expired_limit_finds_the_cycle_failed() -> None:
    cycle = new_cycle()
    cycle.feed(at(0, 20.0))
    events = cycle.step(AbortCycle(91 * MIN, "bob", "too slow"))
    assert kinds(events) == ["cycle_failed"]
    assert cycle.abort(92 * MIN, "bob", "again") == ()


def test_a_passed_cycle_takes_no_more_input() -> None:
    cycle = held_cycle()
    events = cycle.feed(at(HOLD_END_S + 100, 4.0))
    assert isinstance(events[-1], CyclePassed)
    assert events[-1].effect is None
    assert cycle.feed(at(HOLD_END_S + 110, 90.0)) == ()
    assert cycle.tick(HOLD_END_S * S + 10 * 60 * MIN) == ()
    assert cycle.closed


def test_a_failed_cycle_is_a_momentary_alarm() -> None:
    cycle = new_cycle(policy=CyclePolicy(hold_policy="fail"))
    heated(cycle)
    events = cycle.feed(at(610, 10.0))
    failed = events[-1]
    assert isinstance(failed, CycleFailed)
    assert (failed.effect, failed.alarm_key) == (Effect.PULSE, "cycle_failed:C1")
