"""What a cycle reports: the inspector's figures, coldest-probe judgement, bath fallback."""

from __future__ import annotations

import json

import pytest

from monitor.evaluation import (
    HOLDER58,
    CycleMachine,
    CyclePolicy,
    CycleProbes,
    LotBacteriology,
    Outcome,
    start_cycle,
)
from monitor.evaluation.events import CyclePassed, HoldInterrupted, HoldJudgedOnBath
from tests.monitor.evaluation.curves import S, at, feed_all, flat, kinds, new_cycle


def test_a_water_bath_curve_gives_the_inspector_figures() -> None:
    """Rise 20 → 60 °C in 15 min, hold at 59–60.5, cool to 4 °C: typical Holder curve."""
    cycle = new_cycle()
    rise = [at(t, 20.0 + 40.0 * t / 900) for t in range(0, 900, 10)]  # 58.0 at 855 s
    plateau = [at(t, 59.0 + (t % 60) / 40) for t in range(900, 900 + 3700, 10)]  # 59.0..60.5
    cool = [at(4600 + t, 58.0 - 54.0 * t / 1200) for t in range(10, 1210, 10)]
    events = feed_all(cycle, [*rise, *plateau, *cool])
    closed = events[-1]
    assert isinstance(closed, CyclePassed)
    verdict = closed.verdict
    m = verdict.metrics
    assert m.to_mark_s == 860.0  # first reading >= 58 °C
    assert m.to_setpoint_s == 860.0
    assert verdict.hold_started_ts == 860 * S
    assert verdict.hold_completed_ts == (860 + 3600) * S
    assert m.plateau_s == 4590 - 860  # runs on past the hold time, to the last reading >= 58
    assert m.hold_min_c == pytest.approx(20.0 + 40.0 * 860 / 900)
    assert m.hold_max_c == 60.25
    assert m.above_mark_s == 4590 - 860
    assert m.cooling_s == 1300.0  # 4.99 °C at 5760 s, hold completed at 4460 s
    assert m.hold_restarts == 0
    assert m.overshoots == 0
    assert verdict.cooled_ts == 5760 * S
    assert verdict.reasons == ()
    assert not verdict.judged_on_bath
    fields = closed.fields()
    assert fields["outcome"] == "pass"
    assert fields["to_mark_s"] == 860.0
    assert all(not isinstance(v, dict | list | tuple) for v in fields.values())


def test_the_hold_is_judged_on_the_coldest_reference_probe() -> None:
    cycle = new_cycle(refs=("top", "bottom"))
    feed_all(cycle, [at(0, 20.0, "top"), at(0, 20.0, "bottom")])
    # top is hot, bottom lags: no hold until both are at the setpoint
    assert feed_all(cycle, [at(600, 60.0, "top"), at(600, 57.9, "bottom")]) == []
    started = feed_all(cycle, [at(610, 60.0, "top"), at(610, 58.0, "bottom")])
    assert kinds(started) == ["hold_started"]
    assert started[0].coldest_c == 58.0  # type: ignore[attr-defined]
    for t in range(620, 760, 10):
        feed_all(cycle, [at(t, 60.0, "top"), at(t, 58.2, "bottom")])
    dip = feed_all(cycle, [at(760, 60.0, "top"), at(760, 57.5, "bottom")])
    assert isinstance(dip[0], HoldInterrupted)
    assert dip[0].probe_id == "bottom"


def test_one_silent_reference_probe_breaks_the_hold() -> None:
    cycle = new_cycle(refs=("top", "bottom"))
    for t in range(600, 640, 10):
        feed_all(cycle, [at(t, 59.0, "top"), at(t, 59.0, "bottom")])
    # bottom falls silent after 630 s: 30 s later is still no gap, 31 s is
    assert feed_all(cycle, [at(640, 59.0, "top"), at(660, 59.0, "top")]) == []
    events = cycle.feed(at(661, 59.0, "top"))
    assert kinds(events) == ["hold_interrupted"]
    assert events[0].probe_id == "bottom"  # type: ignore[attr-defined]
    assert events[0].since_ts == 630 * S  # type: ignore[attr-defined]
    # back: both fresh and hot again restarts the hold
    assert kinds(cycle.feed(at(670, 59.0, "bottom"))) == [
        "hold_interruption_ended",
        "hold_started",
    ]


def test_cooling_is_judged_on_the_warmest_reference_probe() -> None:
    cycle = new_cycle(refs=("a", "b"))
    for t in range(600, 600 + 3601, 10):
        feed_all(cycle, [at(t, 59.0, "a"), at(t, 59.0, "b")])
    assert cycle.state.hold_completed_ts == 4200 * S
    assert feed_all(cycle, [at(4800, 5.0, "a"), at(4800, 7.0, "b")]) == []
    assert kinds(cycle.feed(at(4810, 5.9, "b")))[-1] == "cycle_passed"


def test_with_no_reference_probe_the_bath_is_judged_and_flagged() -> None:
    lot = LotBacteriology("L1", 100)
    machine, events = start_cycle("C7", 0, HOLDER58, [lot], CycleProbes((), bath_id="bath"))
    assert kinds(events) == ["cycle_started", "hold_judged_on_bath"]
    assert events[0].fields()["judged_on_bath"] is True
    assert isinstance(events[1], HoldJudgedOnBath)
    assert events[1].probe_id == "bath"
    machine.feed(at(600, 59.0, "bath"))
    result = machine.abort(700 * S, "alice", "test")
    verdict = result[-1].verdict  # type: ignore[attr-defined]
    assert verdict.judged_on_bath is True
    assert verdict.outcome is Outcome.ABORTED


def test_cycle_started_records_lots_probes_and_policy() -> None:
    lots = [LotBacteriology("L1", 10), LotBacteriology("L2", 20)]
    _, (started,) = start_cycle("C2", 5 * S, HOLDER58, lots, CycleProbes(("a", "b"), "bath"))
    assert started.ts == 5 * S
    assert started.fields() == {
        "subject": "C2",
        "program": "holder58",
        "setpoint_c": 58.0,
        "hold_s": 3600.0,
        "lots": "L1,L2",
        "judged_probes": "a,b",
        "judged_on_bath": False,
        "hold_policy": "restart",
        "gap_limit_s": 30.0,
        "overshoot_limit_c": 61.0,
        "come_up_limit_s": 5400.0,
        "cooling_target_c": 6.0,
        "cooling_limit_s": 3600.0,
        "settle_s": 120.0,
        "cooled_fail_below_c": 53.0,
        "come_up_warning_s": 2700.0,
    }


def test_a_restored_cycle_resumes_exactly() -> None:
    inputs = [at(0, 20.0), *flat(600, 2000, 58.6), at(2010, 55.0), *flat(2020, 6000, 58.9)]
    inputs += [at(6100, 3.0)]
    whole = new_cycle()
    expected = feed_all(whole, inputs)
    first = new_cycle()
    got = feed_all(first, inputs[:150])
    data = json.loads(json.dumps(first.snapshot()))
    resumed = CycleMachine.restore(first.setup, data)
    got += feed_all(resumed, inputs[150:])
    assert got == expected
    assert resumed.verdict == whole.verdict


def test_a_corrupt_snapshot_is_refused_by_name() -> None:
    cycle = new_cycle()
    data = cycle.snapshot()
    data["hold_timer"] = 1
    del data["phase"]
    with pytest.raises(ValueError, match=r"unknown state field\(s\) \['hold_timer'\]"):
        CycleMachine.restore(cycle.setup, data)
    with pytest.raises(ValueError, match="missing state field"):
        CycleMachine.restore(
            cycle.setup, {k: v for k, v in cycle.snapshot().items() if k != "phase"}
        )
    with pytest.raises(ValueError, match="'boiling' is not a valid Phase"):
        CycleMachine.restore(cycle.setup, {**cycle.snapshot(), "phase": "boiling"})


def test_closing_an_open_cycle_has_no_verdict() -> None:
    cycle = new_cycle()
    assert cycle.verdict is None
    with pytest.raises(ValueError, match="still open"):
        cycle.closing_event()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: CycleProbes(()), "reference \\(milk\\) probe or a bath probe"),
        (lambda: CycleProbes(("a", "a")), "listed twice: a"),
        (lambda: CycleProbes(("a",), "a"), "listed twice: a"),
        (lambda: CycleProbes(("a,b",)), "without ','"),
        (
            lambda: start_cycle(
                "C",
                0,
                HOLDER58,
                [LotBacteriology("L", 1)],
                CycleProbes(("a",)),
                CyclePolicy(cooling_target_c=58.0),
            ),
            "cooling_target_c 58 must be below the setpoint 58 of holder58",
        ),
        (
            lambda: start_cycle("", 0, HOLDER58, [LotBacteriology("L", 1)], CycleProbes(("a",))),
            "cycle_id",
        ),
    ],
)
def test_inconsistent_cycle_setups_are_refused_by_name(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
