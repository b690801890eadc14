"""Inputs and state as plain data: clear errors on bad values, faithful round trips."""

from __future__ import annotations

import pytest

from monitor.evaluation import AbortCycle, NewDay, Tick, run, state_from_dict, state_to_dict
from monitor.evaluation.band import BandState
from monitor.evaluation.daily import DayStats
from tests.monitor.evaluation.curves import at, new_cycle


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
