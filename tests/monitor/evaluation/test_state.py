"""Inputs and state as plain data: clear errors on bad values, faithful round trips, and
stamps named ``*_ts`` that a service can move when the wall clock steps."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from monitor.evaluation import (
    AbortCycle,
    BandMachine,
    BandSpec,
    CycleMachine,
    NewDay,
    Tick,
    run,
    state_from_dict,
    state_to_dict,
)
from monitor.evaluation.band import BandState
from monitor.evaluation.daily import DayStats
from monitor.reading import Reading
from tests.monitor.evaluation.curves import FAULT, S, at, flat, new_cycle

HOUR_NS = 3600 * S


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Tick(1.5), "integer nanoseconds"),  # type: ignore[arg-type]
        (lambda: Tick(True), "integer nanoseconds"),
        (lambda: AbortCycle(1, " ", "why"), "user"),
        (lambda: AbortCycle(1, "alice", ""), "reason"),
        (lambda: NewDay(1, ""), "day key"),
        (lambda: NewDay("noon", "d"), "integer nanoseconds"),  # type: ignore[arg-type]
    ],
)
def test_bad_inputs_are_refused_by_name(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_nested_state_round_trips() -> None:
    state = BandState(5, DayStats("d", 0, samples=2, min_c=1.0), {"p": 5}, {"p": 1.0})
    data = state_to_dict(state)
    assert data["day"]["min_c"] == 1.0
    back = state_from_dict(BandState, data, {"day": DayStats})
    assert back == state
    assert back.seen_ts is not state.seen_ts


def test_state_helpers_refuse_what_is_not_state() -> None:
    with pytest.raises(TypeError, match="state dataclass"):
        state_to_dict({"a": 1})
    with pytest.raises(ValueError, match="must be a mapping"):
        state_from_dict(DayStats, [("day", "d")])  # type: ignore[arg-type]


def test_run_feeds_every_input_and_ignores_foreign_ones() -> None:
    cycle = new_cycle()
    events = run(cycle, [at(0, 20.0), NewDay(5, "d"), at(600, 58.0), Tick(601)])
    assert [e.kind for e in events] == ["hold_started"]


def moved(value: Any, delta_ns: int, name: str = "") -> Any:
    """A snapshot as a service moves it when the wall clock steps: every field named ``*_ts``
    (a stamp, or a dict of stamps), in nested states and in the records of lists."""
    if isinstance(value, dict):
        if name.endswith("_ts"):
            return {k: v + delta_ns if type(v) is int else v for k, v in value.items()}
        return {k: moved(v, delta_ns, k) for k, v in value.items()}
    if isinstance(value, list):
        return [moved(v, delta_ns) for v in value]
    return value + delta_ns if name.endswith("_ts") and type(value) is int else value


def later(inputs: list[Reading], delta_ns: int) -> list[Reading]:
    return [dataclasses.replace(r, ts=r.ts + delta_ns) for r in inputs]


def test_a_cycle_moved_by_a_clock_step_tells_the_same_verdict() -> None:
    # The probe is back (1070 s) below the setpoint when the clock steps: the verdict must
    # still say how long its fault lasted, so that stamp too must move with the clock.
    inputs = [*flat(0, 590, 40.0), *flat(600, 1000, 58.5)]
    inputs += [at(t, 3276.7, quality=FAULT) for t in range(1010, 1070, 10)]
    inputs += [at(1070, 57.0), at(1080, 57.5)]
    rest = [*flat(1090, 1300, 58.5), at(1310, 52.0)]
    whole = new_cycle()
    run(whole, [*inputs, *rest])
    part = new_cycle()
    run(part, inputs)
    stepped = CycleMachine.restore(part.setup, moved(part.snapshot(), HOUR_NS))
    run(stepped, later(rest, HOUR_NS))
    assert whole.verdict is not None
    assert stepped.verdict is not None
    assert "(valid data back after 0:01:10)" in whole.verdict.reasons[1]
    assert stepped.verdict.reasons == whole.verdict.reasons


def test_a_band_moved_by_a_clock_step_counts_the_same_time() -> None:
    inputs = [at(t, 5.0, "p") for t in range(0, 300, 10)]
    rest = [at(t, 5.0, "p") for t in range(300, 900, 10)] + [at(900, 3.0, "p")]
    whole = BandMachine("F1", BandSpec.fridge(), ["p"], "d", 0)
    expected = run(whole, [*inputs, *rest])
    part = BandMachine("F1", BandSpec.fridge(), ["p"], "d", 0)
    run(part, inputs)
    data = moved(part.snapshot(), HOUR_NS)
    stepped = BandMachine.restore("F1", BandSpec.fridge(), ["p"], data)
    got = run(stepped, later(rest, HOUR_NS))
    assert [e.fields() for e in got][-1] == {
        **expected[-1].fields(),
        "since_ts": HOUR_NS,  # the excursion's start moved with the clock
    }
    assert stepped.day_summary().out_of_band_s == whole.day_summary().out_of_band_s
