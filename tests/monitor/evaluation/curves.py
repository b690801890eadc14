"""Building blocks for evaluation tests: readings in seconds, flat stretches, a fresh cycle."""

from __future__ import annotations

from collections.abc import Iterable

from monitor.evaluation import (
    HOLDER58,
    CycleMachine,
    CyclePolicy,
    CycleProbes,
    Event,
    LotBacteriology,
    Program,
    start_cycle,
)
from monitor.reading import Quality, Reading

S = 1_000_000_000
MIN = 60 * S
OK, FAULT = Quality.OK, Quality.FAULT


def at(t_s: float, value: float, probe: str = "ref", quality: Quality = OK) -> Reading:
    """A reading ``t_s`` seconds after the epoch of the test (the cycle starts at 0)."""
    return Reading(probe, round(t_s * S), value, quality)


def flat(
    start_s: float, end_s: float, value: float, step_s: float = 10.0, probe: str = "ref"
) -> list[Reading]:
    """Readings of ``value`` every ``step_s`` from ``start_s`` to ``end_s`` inclusive."""
    out: list[Reading] = []
    t = start_s
    while t <= end_s + 1e-9:
        out.append(at(t, value, probe))
        t += step_s
    return out


def new_cycle(
    program: Program = HOLDER58,
    policy: CyclePolicy | None = None,
    refs: tuple[str, ...] = ("ref",),
    bath: str | None = "bath",
    cycle_id: str = "C1",
) -> CycleMachine:
    """A started cycle (at ts 0) for one lot its program allows."""
    lot = LotBacteriology("L1", program.max_total_flora_cfu_ml)
    machine, _ = start_cycle(cycle_id, 0, program, [lot], CycleProbes(refs, bath), policy)
    return machine


def feed_all(machine: CycleMachine, readings: Iterable[Reading]) -> list[Event]:
    events: list[Event] = []
    for reading in readings:
        events.extend(machine.feed(reading))
    return events


def kinds(events: Iterable[Event]) -> list[str]:
    return [e.kind for e in events]


def heated(machine: CycleMachine, setpoint: float = 58.5, hold_start_s: float = 600.0) -> None:
    """Bring a cycle to a running hold started at ``hold_start_s`` (readings every 10 s)."""
    feed_all(machine, flat(0, hold_start_s - 10, 40.0))
    feed_all(machine, [at(hold_start_s, setpoint)])
