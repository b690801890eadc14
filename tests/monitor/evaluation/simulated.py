"""Simulated curves as a monitor sees them: qualified readings, gaps, ticks, started machines.

``simulator.lab.simulate_curve`` gives what each probe answers at each simulated instant;
this module turns that into the inputs of the evaluation core, the way the drivers would:

- ``no_answer`` and ``device_exception``: no reading at all (a gap);
- ``open_circuit``: the sentinel goes through ``drivers.conversion.make_reading`` and comes
  out as a reading of quality ``fault``;
- any other answer: its value through ``make_reading``.

The monitor polls every ``SAMPLE_PERIOD_S`` (a probe's default period) and ticks at each
poll, so a silent probe is seen as silence. Stamps are ``ORIGIN_NS`` plus the simulated time.
Curves are simulated at ``SIM_STEP_S`` and cached per scenario: a scenario is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import TypeVar

from config.probes import Probe
from drivers.conversion import make_reading
from monitor.clock import NS_PER_S, datetime_to_ns
from monitor.evaluation import (
    DEFAULT_PROGRAMS,
    BandMachine,
    BandSpec,
    CycleMachine,
    CyclePolicy,
    CycleProbes,
    Event,
    Input,
    LotBacteriology,
    ProbeHealth,
    ProbeHealthSpec,
    Program,
    Tick,
    run,
    start_cycle,
)
from monitor.evaluation.events import CycleClosed
from monitor.reading import Reading
from simulator.lab import CurveSample, ProbeFaultKind, ProbeOutput, simulate_curve
from simulator.scenario import (
    CycleSpec,
    EnclosureKind,
    FaultKind,
    FaultSpec,
    PasteuriserSpec,
    Scenario,
    load_shipped_scenario,
)

# Any fixed UTC instant will do; a round one keeps failure messages readable.
ORIGIN_NS = datetime_to_ns(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
ORIGIN_DAY = "2026-03-02"
SIM_STEP_S = 2.0
SAMPLE_PERIOD_S = 10.0

E = TypeVar("E", bound=Event)

_SILENT = (ProbeFaultKind.NO_ANSWER, ProbeFaultKind.DEVICE_EXCEPTION)


def ts_at(sim_s: float) -> int:
    """The UTC stamp (ns) of simulated second ``sim_s``."""
    return ORIGIN_NS + round(sim_s * NS_PER_S)


def sim_s_at(ts: int) -> float:
    """The simulated second of a UTC stamp (ns): the inverse of ``ts_at``."""
    return (ts - ORIGIN_NS) / NS_PER_S


def probe_config(probe_id: str) -> Probe:
    """A probe with the settings' defaults: ranges, fault values, sample period."""
    source = {"kind": "serial", "line": "s", "field": "T"}
    return Probe.model_validate(
        {"id": probe_id, "source": source, "sample_period_s": SAMPLE_PERIOD_S}
    )


def reading_of(probe: Probe, output: ProbeOutput, ts: int) -> Reading | None:
    """What the driver makes of one answer: a qualified reading, or None for silence."""
    if output.fault in _SILENT:
        return None
    if output.value_c is None:
        raise ValueError(f"probe {probe.id} answered no value and no silence fault: {output!r}")
    return make_reading(probe, output.value_c, ts)


def monitor_inputs(
    samples: Sequence[CurveSample],
    probe_ids: Iterable[str],
    sample_period_s: float = SAMPLE_PERIOD_S,
) -> tuple[Input, ...]:
    """The readings of ``probe_ids`` at each poll of the curve, each poll closed by a tick."""
    if len(samples) < 2:
        raise ValueError("a curve needs at least two samples")
    step_s = samples[1].sim_time_s - samples[0].sim_time_s
    every = round(sample_period_s / step_s)
    if every < 1 or abs(every * step_s - sample_period_s) > 1e-9:
        raise ValueError(
            f"sample period {sample_period_s:g} s is not a multiple of the curve step {step_s:g} s"
        )
    probes = [probe_config(probe_id) for probe_id in probe_ids]
    inputs: list[Input] = []
    for sample in samples[::every]:
        ts = ts_at(sample.sim_time_s)
        for probe in probes:
            reading = reading_of(probe, sample.outputs[probe.id], ts)
            if reading is not None:
                inputs.append(reading)
        inputs.append(Tick(ts))
    return tuple(inputs)


def readings(inputs: Iterable[Input], probe_id: str) -> list[Reading]:
    """The readings of one probe among ``inputs``, in order."""
    return [item for item in inputs if isinstance(item, Reading) and item.probe_id == probe_id]


# -- shipped scenarios, simulated once ------------------------------------------------------


@cache
def scenario(name: str) -> Scenario:
    """A shipped scenario, loaded once."""
    return load_shipped_scenario(name)


@cache
def curve(name: str, extra_s: float = 0.0) -> tuple[CurveSample, ...]:
    """Every probe of a shipped scenario, simulated once, ``extra_s`` past its end."""
    duration_s = scenario(name).duration_s + extra_s
    return tuple(simulate_curve(scenario(name), step_s=SIM_STEP_S, duration_s=duration_s))


@cache
def inputs_of(name: str, probe_ids: tuple[str, ...], extra_s: float = 0.0) -> tuple[Input, ...]:
    """The monitor's inputs for some probes of a shipped scenario, built once."""
    return monitor_inputs(curve(name, extra_s), probe_ids)


def fault_of(sc: Scenario, kind: FaultKind, target: str) -> FaultSpec:
    """The one scripted fault of ``kind`` on ``target``."""
    (fault,) = [f for f in sc.faults if f.kind is kind and f.target == target]
    return fault


# -- machines started as the monitor would start them ----------------------------------------


def program_of(cycle: CycleSpec) -> Program:
    """The docs/RULES.md program a scheduled cycle runs (same setpoint and hold time)."""
    for program in DEFAULT_PROGRAMS:
        if program.setpoint_c == cycle.setpoint_c and program.hold_s == cycle.hold_s:
            return program
    raise ValueError(
        f"no default program holds {cycle.setpoint_c:g} °C for {cycle.hold_s / 60:g} min"
    )


def pasteuriser_probes(pasteuriser: PasteuriserSpec) -> tuple[str, ...]:
    """Every probe of a pasteuriser: the bath, the reference bottle, the other bottles."""
    return (pasteuriser.bath_probe, pasteuriser.reference_probe, *pasteuriser.bottle_probes)


def milk_probes(pasteuriser: PasteuriserSpec) -> CycleProbes:
    """The hold judged on every milk probe (the reference bottle and the others)."""
    milk = (pasteuriser.reference_probe, *pasteuriser.bottle_probes)
    return CycleProbes(milk, pasteuriser.bath_probe)


def judge_cycle(
    sc: Scenario,
    inputs: Iterable[Input],
    policy: CyclePolicy | None = None,
    probes: CycleProbes | None = None,
) -> tuple[CycleMachine, list[Event]]:
    """The first cycle of the scenario's only pasteuriser, started when the scenario starts
    it, with its program; returns the machine and every event, the start records first.

    ``probes`` defaults to the milk probes; inputs stamped before the start are not fed.
    """
    (pasteuriser,) = sc.pasteurisers
    cycle = pasteuriser.cycles[0]
    program = program_of(cycle)
    start_ts = ts_at(cycle.start_s)
    machine, started = start_cycle(
        f"{pasteuriser.id}-cycle-1",
        start_ts,
        program,
        [LotBacteriology("L1", program.max_total_flora_cfu_ml)],
        probes or milk_probes(pasteuriser),
        policy,
    )
    events = list(started)
    events.extend(run(machine, (item for item in inputs if item.ts >= start_ts)))
    return machine, events


def band_of(sc: Scenario, enclosure_id: str) -> BandMachine:
    """A band machine with docs/RULES.md's defaults for the enclosure's kind, from the origin."""
    (enclosure,) = [e for e in sc.enclosures if e.id == enclosure_id]
    fridge = enclosure.kind is EnclosureKind.FRIDGE
    spec = BandSpec.fridge() if fridge else BandSpec.freezer()
    return BandMachine(enclosure.id, spec, (enclosure.probe,), ORIGIN_DAY, ORIGIN_NS)


def health_of(probe_id: str, stuck_after_s: float | None = None) -> ProbeHealth:
    """A probe-health machine with the default stale rule (3 sample periods), from the origin."""
    spec = ProbeHealthSpec(SAMPLE_PERIOD_S, stuck_after_s=stuck_after_s)
    return ProbeHealth(probe_id, spec, ORIGIN_NS)


# -- shipped scenarios judged, for the tests ----------------------------------------------------


def only(events: Iterable[Event], kind: type[E]) -> list[E]:
    """The events of one kind, in order."""
    return [e for e in events if isinstance(e, kind)]


def closing(events: list[Event]) -> CycleClosed:
    """The one verdict of a cycle, which must be its last event."""
    (closed,) = only(events, CycleClosed)
    assert events[-1] is closed
    return closed


def cycle_run(
    name: str,
    policy: CyclePolicy | None = None,
    probes: CycleProbes | None = None,
    extra_s: float = 0.0,
) -> list[Event]:
    """Every event of a shipped scenario's cycle (see ``judge_cycle``)."""
    sc = scenario(name)
    (pasteuriser,) = sc.pasteurisers
    inputs = inputs_of(name, pasteuriser_probes(pasteuriser), extra_s)
    return judge_cycle(sc, inputs, policy, probes)[1]


def band_run(name: str, enclosure_id: str) -> list[Event]:
    """Every event of a shipped scenario's fridge or freezer band."""
    (enclosure,) = [e for e in scenario(name).enclosures if e.id == enclosure_id]
    return run(band_of(scenario(name), enclosure_id), inputs_of(name, (enclosure.probe,)))


def health_run(name: str, probe_id: str, stuck_after_s: float | None = None) -> list[Event]:
    """Every event of one probe's health in a shipped scenario."""
    return run(health_of(probe_id, stuck_after_s), inputs_of(name, (probe_id,)))


def milk_values(name: str, start_s: float, end_s: float, extra_s: float = 0.0) -> list[float]:
    """Usable readings of the judged (milk) probes stamped in ``[start_s, end_s)``."""
    (pasteuriser,) = scenario(name).pasteurisers
    inputs = inputs_of(name, pasteuriser_probes(pasteuriser), extra_s)
    return [
        r.value
        for probe_id in milk_probes(pasteuriser).judged_ids
        for r in readings(inputs, probe_id)
        if r.usable and ts_at(start_s) <= r.ts < ts_at(end_s)
    ]


def cycle_clock(name: str, sim_s: float) -> str:
    """``h:mm:ss`` from the scenario's cycle start to ``sim_s``, as the core writes reasons."""
    elapsed = round(sim_s - scenario(name).pasteurisers[0].cycles[0].start_s)
    return f"{elapsed // 3600}:{elapsed % 3600 // 60:02d}:{elapsed % 60:02d}"
