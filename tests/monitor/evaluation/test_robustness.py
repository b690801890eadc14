"""Any float, any order: no machine raises, same input gives same events, state stays plain."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.evaluation import (
    AbortCycle,
    BandMachine,
    BandSpec,
    CyclePolicy,
    CycleProbes,
    Event,
    HeatingWatchSpec,
    Input,
    LotBacteriology,
    NewDay,
    ProbeHealth,
    ProbeHealthSpec,
    Program,
    Tick,
    UnregisteredHeatingWatcher,
    run,
    start_cycle,
)
from monitor.reading import Quality, Reading

S = 1_000_000_000
SHORT = Program("short", 58.0, 60.0, 1e4)
POLICY = CyclePolicy(gap_limit_s=3.0, come_up_limit_s=300.0, cooling_limit_s=60.0)


class WatcherMachine:
    """The unregistered-heating watcher with its cycle gate driven by aborts and new days."""

    def __init__(self) -> None:
        self.watch = UnregisteredHeatingWatcher("past", ["bath", "ref"], HeatingWatchSpec())

    def step(self, item: Input) -> tuple[Event, ...]:
        if isinstance(item, Reading):
            return self.watch.feed(item)
        if isinstance(item, AbortCycle):
            return self.watch.cycle_started(item.ts, "C")
        if isinstance(item, NewDay):
            return self.watch.cycle_ended(item.ts)
        return ()

    def snapshot(self) -> dict[str, object]:
        return self.watch.snapshot()


def cycle(refs: tuple[str, ...], policy: str) -> Callable[[], object]:
    def build() -> object:
        lots = [LotBacteriology("L", 1.0)]
        rules = CyclePolicy(
            hold_policy=policy,  # type: ignore[arg-type]
            gap_limit_s=POLICY.gap_limit_s,
            come_up_limit_s=POLICY.come_up_limit_s,
            cooling_limit_s=POLICY.cooling_limit_s,
        )
        machine, _ = start_cycle("C", 0, SHORT, lots, CycleProbes(refs, "bath"), rules)
        return machine

    return build


MACHINES: dict[str, Callable[[], object]] = {
    "cycle": cycle(("ref",), "restart"),
    "cycle-two-refs-fail": cycle(("ref", "p"), "fail"),
    "cycle-on-bath": cycle((), "restart"),
    "fridge": lambda: BandMachine("F", BandSpec.fridge(), ["p", "ref"], "d0", 0),
    "freezer": lambda: BandMachine("Z", BandSpec.freezer(), ["p"], "d0", 0),
    "probe": lambda: ProbeHealth(
        "p", ProbeHealthSpec(1.0, stuck_after_s=5.0, calibration_due_ns=2000 * S), 0
    ),
    "watcher": WatcherMachine,
}

NEAR = st.integers(-20, 4000).map(lambda s: s * S)
TIMES = st.one_of(NEAR, NEAR, NEAR, st.integers(-(2**63), 2**63 - 1))
READINGS = st.builds(
    Reading,
    st.sampled_from(["ref", "p", "bath", "other"]),
    TIMES,
    st.one_of(st.floats(), st.floats(-5, 70)),
    st.sampled_from(list(Quality)),
)
INPUTS = st.lists(
    st.one_of(
        READINGS,
        READINGS,
        READINGS,
        st.builds(Tick, TIMES),
        st.builds(AbortCycle, TIMES, st.just("alice"), st.just("test")),
        st.builds(NewDay, TIMES, st.sampled_from(["d1", "d2"])),
    ),
    max_size=60,
)


def check_flat(events: list[Event]) -> None:
    for event in events:
        assert isinstance(event.ts, int)
        for value in event.fields().values():
            assert value is None or type(value) in (str, int, float, bool)
            if isinstance(value, float):
                assert math.isfinite(value), event


@pytest.mark.parametrize("name", list(MACHINES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=INPUTS)
def test_any_input_in_any_order(name: str, inputs: list[Input]) -> None:
    first, second = MACHINES[name](), MACHINES[name]()
    events = run(first, inputs)  # type: ignore[arg-type]
    assert run(second, inputs) == events  # type: ignore[arg-type]
    check_flat(events)
    json.dumps(first.snapshot(), allow_nan=False)  # type: ignore[attr-defined]
