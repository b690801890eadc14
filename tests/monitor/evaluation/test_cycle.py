"""The hold of a pasteurisation cycle, rule by rule, at each boundary (docs/RULES.md tables)."""

from __future__ import annotations

import pytest

from monitor.evaluation import HOLDER63, CyclePolicy, Outcome, Phase, Tick
from monitor.evaluation.events import (
    HoldCompleted,
    HoldInterrupted,
    HoldInterruptionEnded,
    HoldStarted,
    ReadingRejected,
)
from monitor.reading import Reading
from tests.monitor.evaluation.curves import (
    FAULT,
    OK,
    S,
    at,
    feed_all,
    flat,
    heated,
    kinds,
    new_cycle,
)


@pytest.mark.parametrize(("value", "starts"), [(57.99, False), (58.00, True), (58.01, True)])
def test_the_hold_starts_at_the_setpoint(value: float, starts: bool) -> None:
    cycle = new_cycle()
    events = feed_all(cycle, [at(0, 20.0), at(600, value)])
    assert ("hold_started" in kinds(events)) is starts
    assert cycle.phase is (Phase.HOLDING if starts else Phase.HEATING)


@pytest.mark.parametrize(("last_s", "complete"), [(3599, False), (3600, True)])
def test_the_hold_completes_after_the_program_time(last_s: int, complete: bool) -> None:
    """holder58: 59:59 of hold is not enough, 60:00 is."""
    cycle = new_cycle()
    heated(cycle)
    events = feed_all(cycle, [*flat(610, 600 + 3590, 58.2), at(600 + last_s, 58.0)])
    done = [e for e in events if isinstance(e, HoldCompleted)]
    assert bool(done) is complete
    if complete:
        assert done[0].held_s == 3600.0
        assert done[0].hold_started_ts == 600 * S
        assert cycle.phase is Phase.COOLING


def test_a_tick_never_completes_a_hold() -> None:
    cycle = new_cycle()
    heated(cycle)
    feed_all(cycle, flat(610, 600 + 3590, 58.5))
    assert cycle.tick((600 + 3600) * S) == ()
    assert cycle.phase is Phase.HOLDING
    assert kinds(cycle.feed(at(600 + 3600, 58.5))) == ["hold_completed"]


@pytest.mark.parametrize(("gap_ns", "broken"), [(30 * S, False), (30 * S + 1, True)])
@pytest.mark.parametrize("by_tick", [False, True])
def test_a_gap_longer_than_the_limit_breaks_the_hold(
    gap_ns: int, broken: bool, by_tick: bool
) -> None:
    """Default gap limit: 3 sample periods of 10 s; exactly 30 s is not a gap."""
    cycle = new_cycle()
    heated(cycle)
    events = feed_all(cycle, flat(610, 1000, 58.5))
    if by_tick:
        events += cycle.tick(1000 * S + gap_ns)
    events += cycle.feed(Reading("ref", 1000 * S + gap_ns, 58.5, OK))
    interrupted = [e for e in events if isinstance(e, HoldInterrupted)]
    assert bool(interrupted) is broken
    if broken:
        gap = interrupted[0]
        assert (gap.cause, gap.since_ts, gap.value_c, gap.held_s) == ("gap", 1000 * S, None, 400.0)
        ended = [e for e in events if isinstance(e, HoldInterruptionEnded)]
        assert ended[0].recovered
        assert ended[0].since_ts == 1000 * S
        assert ended[0].duration_s == gap_ns / S
        assert cycle.state.hold_started_ts == 1000 * S + gap_ns  # restarted from zero


def test_a_dip_restarts_the_timer_and_is_reported_with_its_lowest_value() -> None:
    cycle = new_cycle()
    heated(cycle)
    feed_all(cycle, flat(610, 1200, 58.4))
    events = feed_all(cycle, [at(1210, 57.99), at(1220, 57.2), at(1230, 57.6), at(1240, 58.0)])
    assert kinds(events) == [
        "hold_interrupted",
        "hold_interruption_ended",
        "hold_started",
    ]
    dip, ended, started = events
    assert isinstance(dip, HoldInterrupted)
    assert (dip.cause, dip.probe_id, dip.value_c, dip.since_ts) == ("dip", "ref", 57.99, 1210 * S)
    assert dip.held_s == 610.0
    assert dip.alarm_key == "hold_interrupted:C1"
    assert isinstance(ended, HoldInterruptionEnded)
    assert (ended.since_ts, ended.ts, ended.lowest_c, ended.duration_s) == (
        1210 * S,
        1240 * S,
        57.2,
        30.0,
    )
    assert isinstance(started, HoldStarted)
    assert started.attempt == 2
    # the timer counts again from 1240 s: 60 min later, not before
    assert "hold_completed" not in kinds(feed_all(cycle, flat(1250, 1240 + 3590, 58.3)))
    assert kinds(cycle.feed(at(1240 + 3600, 58.3))) == ["hold_completed"]
    assert cycle.metrics().hold_restarts == 1


@pytest.mark.parametrize("cause", ["dip", "gap"])
def test_policy_fail_fails_the_cycle_at_the_first_break(cause: str) -> None:
    cycle = new_cycle(policy=CyclePolicy(hold_policy="fail"))
    heated(cycle)
    feed_all(cycle, flat(610, 900, 58.5))
    events = cycle.feed(at(910, 57.5)) if cause == "dip" else cycle.tick(931 * S)
    assert kinds(events) == ["hold_interrupted", "hold_interruption_ended", "cycle_failed"]
    assert not events[1].recovered  # type: ignore[attr-defined]
    verdict = cycle.verdict
    assert verdict is not None
    assert verdict.outcome is Outcome.FAIL
    assert "hold interrupted at 0:15:" in verdict.reasons[0]
    assert "'fail'" in verdict.reasons[0]
    assert cycle.feed(at(940, 58.5)) == ()  # closed: nothing more


def test_faulty_readings_are_no_evidence_and_their_silence_is_a_probe_fault() -> None:
    cycle = new_cycle()
    heated(cycle)
    feed_all(cycle, flat(610, 700, 58.5))
    faults = [at(t, 58.5, quality=FAULT) for t in (710, 720, 730)]
    assert feed_all(cycle, faults) == []
    events = cycle.feed(at(731, 58.5))
    assert kinds(events) == ["hold_interrupted", "hold_interruption_ended", "hold_started"]
    fault = events[0]
    assert isinstance(fault, HoldInterrupted)
    assert (fault.cause, fault.probe_id, fault.since_ts) == ("fault", "ref", 700 * S)
    assert "probe ref faulty (fault value 58.5): no valid data for more than 0:00:30" in (
        fault.reason
    )
    nan = cycle.feed(at(741, float("nan")))
    assert nan == ()
    assert cycle.state.latest_c["ref"] == 58.5


def test_readings_out_of_order_are_rejected_with_an_event() -> None:
    cycle = new_cycle()
    feed_all(cycle, [at(0, 20.0), at(10, 21.0)])
    older, same = cycle.feed(at(5, 99.0)), cycle.feed(at(10, 99.0))
    assert isinstance(older[0], ReadingRejected)
    assert older[0].reason.startswith("older")
    assert isinstance(same[0], ReadingRejected)
    assert same[0].reason.startswith("duplicate")
    assert (older[0].reading_ts, older[0].last_ts, older[0].ts) == (5 * S, 10 * S, 10 * S)
    before = new_cycle()
    before.tick(0)
    rejected = before.feed(at(-1, 60.0))
    assert isinstance(rejected[0], ReadingRejected)
    assert rejected[0].reason == "before the start"
    assert cycle.state.latest_c["ref"] == 21.0


def test_other_probes_and_old_ticks_change_nothing() -> None:
    cycle = new_cycle()
    heated(cycle)
    before = cycle.snapshot()
    assert cycle.feed(at(605, 10.0, probe="bath")) == ()
    assert cycle.feed(at(606, 10.0, probe="elsewhere")) == ()
    assert cycle.step(Tick(1)) == ()
    assert cycle.snapshot() == before


def test_hold_completes_on_holder63() -> None:
    cycle = new_cycle(program=HOLDER63)
    feed_all(cycle, [at(0, 30.0), at(300, 62.99)])
    events = feed_all(cycle, flat(310, 310 + 30 * 60, 63.0))
    assert kinds(events)[0] == "hold_started"
    assert kinds(events)[-1] == "hold_completed"
    assert events[-1].ts == (310 + 30 * 60) * S
