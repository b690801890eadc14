"""The hold settles: dips while the milk probe levels off at the setpoint are no alarm.

docs/RULES.md, How the hold is read from real probes, H6: a probe served in tenths reads
63.0, 62.9, 63.0 as it arrives; dips within ``settle_s`` (120 s) of the coldest milk probe's
first crossing of the setpoint restart the hold timer and are recorded (``HoldSettling``),
with no alarm and never a failure, under either hold policy. After that a dip is an alarm
and restarts (or fails) the hold as before (H2).
"""

from __future__ import annotations

import pytest

from monitor.evaluation import HOLDER63, CycleMachine, CyclePolicy, Outcome, Tick
from monitor.evaluation.event_base import Event
from monitor.evaluation.events import HoldInterrupted, HoldSettling, HoldStarted
from tests.monitor.evaluation.curves import S, at, feed_all, flat, kinds, new_cycle

CROSSING_S = 600


def levelling(policy: CyclePolicy | None = None) -> tuple[CycleMachine, list[Event]]:
    """A holder63 cycle whose reference reaches 63.0 at 600 s, then reads in tenths."""
    cycle = new_cycle(program=HOLDER63, policy=policy)
    feed_all(cycle, flat(0, CROSSING_S - 10, 40.0))
    values = [63.0, 62.9, 63.0, 62.9, 63.0, 63.0, 62.9, 63.1]
    events = feed_all(cycle, [at(CROSSING_S + 10 * i, v) for i, v in enumerate(values)])
    return cycle, events


def alarms(events: list[Event]) -> list[Event]:
    return [e for e in events if e.alarm_key is not None]


@pytest.mark.parametrize("hold_policy", ["restart", "fail"])
def test_a_probe_levelling_off_restarts_the_timer_without_an_alarm(hold_policy: str) -> None:
    cycle, events = levelling(CyclePolicy(hold_policy=hold_policy))  # type: ignore[arg-type]
    assert kinds(events) == [
        "hold_started",
        "hold_settling",
        "hold_started",
        "hold_settling",
        "hold_started",
        "hold_settling",
        "hold_started",
    ]
    assert alarms(events) == []
    first = events[1]
    assert isinstance(first, HoldSettling)
    assert (first.probe_id, first.value_c, first.since_ts) == ("ref", 62.9, 610 * S)
    assert (first.held_s, first.settle_s) == (10.0, 120.0)
    assert first.reason.startswith("hold settling at 0:10:10 after 0:00:10 of hold: probe ref")
    assert first.reason.endswith(
        "(within 0:02:00 of the first crossing: the timer restarts, no alarm)"
    )
    assert "; " not in first.reason  # the verdict's record joins reasons with "; "
    last = events[-1]
    assert isinstance(last, HoldStarted)
    assert (last.attempt, cycle.state.hold_started_ts) == (4, 670 * S)
    assert cycle.metrics().hold_restarts == 3  # each settling dip restarted the timer
    assert cycle.metrics().to_setpoint_s == CROSSING_S  # the first crossing


@pytest.mark.parametrize("hold_policy", ["restart", "fail"])
def test_a_settled_hold_completes_its_time_from_the_last_restart(hold_policy: str) -> None:
    cycle, _ = levelling(CyclePolicy(hold_policy=hold_policy))  # type: ignore[arg-type]
    assert "hold_completed" not in kinds(feed_all(cycle, flat(680, 670 + 1790, 63.2)))
    assert kinds(cycle.feed(at(670 + 1800, 63.2))) == ["hold_completed"]
    assert kinds(cycle.feed(at(670 + 2400, 5.0)))[-1] == "cycle_passed"


@pytest.mark.parametrize(
    ("dip_s", "kind"), [(CROSSING_S + 120, "hold_settling"), (CROSSING_S + 121, "hold_interrupted")]
)
def test_the_settling_time_is_120_s_after_the_first_crossing(dip_s: int, kind: str) -> None:
    cycle = new_cycle(program=HOLDER63)
    feed_all(cycle, [at(0, 40.0), *flat(CROSSING_S, CROSSING_S + 110, 63.1)])
    events = feed_all(cycle, [at(dip_s - 1, 63.1), at(dip_s, 62.9)])
    assert kinds(events) == [kind]


def test_the_settling_time_counts_from_the_first_crossing_not_the_last_restart() -> None:
    cycle, _ = levelling()  # restarted last at 670 s
    events = feed_all(cycle, [*flat(680, 720, 63.1), at(730, 62.9)])  # 130 s after 600 s
    assert kinds(events) == ["hold_interrupted"]
    assert isinstance(events[0], HoldInterrupted)
    assert events[0].alarm_key == "hold_interrupted:C1"


def test_after_the_settling_time_a_dip_fails_under_policy_fail() -> None:
    cycle, _ = levelling(CyclePolicy(hold_policy="fail"))
    events = feed_all(cycle, [*flat(680, 900, 63.2), at(910, 62.9)])
    assert kinds(events) == ["hold_interrupted", "hold_interruption_ended", "cycle_failed"]
    verdict = cycle.verdict
    assert verdict is not None
    assert verdict.outcome is Outcome.FAIL


def test_a_gap_while_settling_is_an_alarm() -> None:
    # Only a dip is the probe levelling off: missing data is never expected.
    cycle = new_cycle(program=HOLDER63)
    feed_all(cycle, [at(0, 40.0), at(CROSSING_S, 63.0), at(CROSSING_S + 10, 63.0)])
    events = cycle.step(Tick((CROSSING_S + 41) * S))
    assert kinds(events) == ["hold_interrupted"]
    assert events[0].cause == "gap"  # type: ignore[attr-defined]


def test_a_settling_time_of_zero_makes_every_dip_an_alarm() -> None:
    _, events = levelling(CyclePolicy(settle_s=0))
    assert kinds(events)[:2] == ["hold_started", "hold_interrupted"]


def test_settling_dips_are_not_ended_like_alarms() -> None:
    # A settling dip raised nothing: its end clears nothing either (no interruption_ended).
    _, events = levelling()
    assert "hold_interruption_ended" not in kinds(events)


def test_a_settling_dip_is_judged_on_the_coldest_milk_probe() -> None:
    cycle = new_cycle(program=HOLDER63, refs=("top", "bottom"))
    feed_all(cycle, [at(0, 40.0, "top"), at(0, 40.0, "bottom")])
    started = feed_all(cycle, [at(600, 63.4, "top"), at(600, 63.0, "bottom")])
    assert kinds(started) == ["hold_started"]
    events = feed_all(cycle, [at(610, 63.4, "top"), at(610, 62.9, "bottom")])
    assert kinds(events) == ["hold_settling"]
    assert events[0].probe_id == "bottom"  # type: ignore[attr-defined]
