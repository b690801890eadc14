"""Probe health: stale, fault, stuck, calibration overdue; each raised and cleared."""

from __future__ import annotations

import json

import pytest

from monitor.evaluation import ProbeHealth, ProbeHealthSpec, Tick
from monitor.evaluation.cold_chain_events import (
    CalibrationOverdueRaised,
    ProbeFaultRaised,
    ProbeStaleCleared,
    ProbeStaleRaised,
    ProbeStuckRaised,
)
from monitor.evaluation.event_base import Effect
from tests.monitor.evaluation.curves import FAULT, S, at, kinds


def probe(**kwargs: object) -> ProbeHealth:
    return ProbeHealth("p1", ProbeHealthSpec(10.0, **kwargs), 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("silence_ns", "stale"), [(30 * S, False), (30 * S + 1, True)])
def test_stale_after_3_sample_periods_of_silence(silence_ns: int, stale: bool) -> None:
    health = probe()
    health.feed(at(100, 3.0, "p1"))
    events = health.step(Tick(100 * S + silence_ns))
    assert (kinds(events) == ["probe_stale_raised"]) is stale
    if stale:
        raised = events[0]
        assert isinstance(raised, ProbeStaleRaised)
        assert (raised.last_ts, raised.stale_after_s, raised.effect) == (
            100 * S,
            30.0,
            Effect.RAISE,
        )
        assert raised.alarm_key == "stale:p1"
        cleared = health.feed(at(200, 3.0, "p1"))
        assert isinstance(cleared[0], ProbeStaleCleared)
        assert cleared[0].silent_s == 100.0


def test_a_probe_that_never_spoke_is_stale_from_its_creation() -> None:
    health = probe()
    assert health.tick(30 * S) == ()
    assert kinds(health.tick(31 * S)) == ["probe_stale_raised"]
    assert health.tick(60 * S) == ()  # raised once


def test_a_late_reading_after_a_silence_raises_and_clears_at_once() -> None:
    health = probe()
    health.feed(at(0, 3.0, "p1"))
    assert kinds(health.feed(at(45, 3.1, "p1"))) == ["probe_stale_raised", "probe_stale_cleared"]


@pytest.mark.parametrize(
    ("value", "quality", "fault"),
    [
        (3276.7, FAULT, True),
        (-200.0, FAULT, True),
        (float("nan"), None, True),
        (float("inf"), None, True),
        (3.0, None, False),
    ],
)
def test_fault_on_impossible_values(value: float, quality: object, fault: bool) -> None:
    health = probe()
    reading = at(1, value, "p1") if quality is None else at(1, value, "p1", FAULT)
    events = health.feed(reading)
    assert (kinds(events) == ["probe_fault_raised"]) is fault
    if fault:
        raised = events[0]
        assert isinstance(raised, ProbeFaultRaised)
        assert raised.value_c == (value if quality is not None else None)
        assert health.feed(at(2, value, "p1", FAULT)) == ()  # raised once
        assert kinds(health.feed(at(3, 4.0, "p1"))) == ["probe_fault_cleared"]


@pytest.mark.parametrize(("same_for_s", "stuck"), [(599, False), (600, True)])
def test_stuck_after_the_identical_value_for_the_limit(same_for_s: int, stuck: bool) -> None:
    health = probe(stuck_after_s=600.0)
    health.feed(at(5, 2.9, "p1"))
    events: list[str] = []
    for t in range(10, 10 + same_for_s, 10):
        events += kinds(health.feed(at(t, 3.0, "p1")))
    last = health.feed(at(10 + same_for_s, 3.0, "p1"))
    assert events == []
    assert (kinds(last) == ["probe_stuck_raised"]) is stuck
    if stuck:
        assert isinstance(last[0], ProbeStuckRaised)
        assert last[0].since_ts == 10 * S
        assert kinds(health.feed(at(620, 3.01, "p1"))) == ["probe_stuck_cleared"]


def test_faulty_readings_do_not_break_a_stuck_run() -> None:
    health = probe(stuck_after_s=60.0)
    health.feed(at(0, 3.0, "p1"))
    health.feed(at(30, 3276.7, "p1", FAULT))
    assert kinds(health.feed(at(60, 3.0, "p1"))) == ["probe_fault_cleared", "probe_stuck_raised"]


def test_stuck_is_not_checked_without_a_limit() -> None:
    health = probe()
    assert [e for t in range(0, 3600, 10) for e in health.feed(at(t, 3.0, "p1"))] == []


@pytest.mark.parametrize(("tick_ns", "overdue"), [(1000 * S, False), (1000 * S + 1, True)])
def test_calibration_overdue_after_its_due_date(tick_ns: int, overdue: bool) -> None:
    health = probe(calibration_due_ns=1000 * S)
    health.feed(at(tick_ns / S - 1, 3.0, "p1"))
    events = health.tick(tick_ns)
    assert (kinds(events) == ["calibration_overdue_raised"]) is overdue
    if overdue:
        raised = events[0]
        assert isinstance(raised, CalibrationOverdueRaised)
        assert (raised.due_ts, raised.alarm_key) == (1000 * S, "calibration:p1")
        assert health.set_calibration_due(tick_ns, tick_ns - 1) == ()  # still passed
        cleared = health.set_calibration_due(tick_ns, 5000 * S)
        assert kinds(cleared) == ["calibration_overdue_cleared"]
        assert cleared[0].fields() == {"subject": "p1", "due_ts": 5000 * S}


def test_a_due_date_must_be_nanoseconds() -> None:
    with pytest.raises(ValueError, match="integer nanoseconds"):
        probe().set_calibration_due(0, 1.5)  # type: ignore[arg-type]


def test_other_probes_and_old_readings() -> None:
    health = probe()
    health.feed(at(10, 3.0, "p1"))
    assert health.feed(at(11, 3.0, "p2")) == ()
    assert kinds(health.feed(at(9, 3.0, "p1"))) == ["reading_rejected"]


def test_a_restored_probe_resumes_exactly() -> None:
    inputs = [at(t, 3.0 if t % 500 < 300 else float("nan"), "p1") for t in range(0, 4000, 7)]
    inputs = [r for r in inputs if r.ts % (397 * S) > 40 * S]  # some silences
    spec = ProbeHealthSpec(5.0, stuck_after_s=100.0, calibration_due_ns=2000 * S)
    whole, part = ProbeHealth("p1", spec, 0), ProbeHealth("p1", spec, 0)
    expected = [e for r in inputs for e in whole.feed(r)]
    got = [e for r in inputs[:200] for e in part.feed(r)]
    resumed = ProbeHealth.restore("p1", spec, json.loads(json.dumps(part.snapshot())))
    got += [e for r in inputs[200:] for e in resumed.feed(r)]
    assert got == expected
    assert {"probe_stale_raised", "probe_fault_raised", "probe_stuck_raised"} <= set(kinds(got))


def test_the_same_value_after_a_silence_is_not_stuck() -> None:
    spec = ProbeHealthSpec(5.0, stuck_after_s=100.0)
    health = ProbeHealth("p1", spec, 0)
    events = [e for t in range(0, 60, 5) for e in health.feed(at(t, 63.47, "p1"))]
    events += health.tick(200 * S)  # silent: stale
    events += [e for t in range(200, 260, 5) for e in health.feed(at(t, 63.47, "p1"))]
    assert "probe_stuck_raised" not in kinds(events)
    assert kinds(events).count("probe_stale_raised") == 1
