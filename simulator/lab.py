"""The simulated lab: every model of a scenario, its scripted faults, and what each probe says.

Protocol front-ends (Modbus, serial, MQTT) and tests query a ``Lab``; nothing here opens a
socket or reads a clock. Time moves only through ``advance(dt_s)``; the same scenario advanced
with the same steps gives the same outputs, bit for bit.

A probe behind a link that is down answers nothing (``ProbeFaultKind.NO_ANSWER``), so a curve
taken without any protocol (``simulate_curve``) shows the gap a real monitor would see.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from typing import NamedTuple

from simulator.models.enclosure import EnclosureModel, EnclosureStatus
from simulator.models.pasteuriser import PasteuriserModel, PasteuriserPhase, PasteuriserStatus
from simulator.models.probe import ProbeChannel, ProbeFaultKind, ProbeOutput
from simulator.scenario.effects import ProbeFaults, enclosure_inputs, pasteuriser_inputs
from simulator.scenario.spec import (
    FAULT_TARGETS,
    FaultKind,
    FaultSpec,
    ProbeRole,
    ProbeSpec,
    Scenario,
    TargetKind,
)

__all__ = [
    "CurveSample",
    "Lab",
    "LabError",
    "ProbeFaultKind",
    "ProbeOutput",
    "UnknownIdError",
    "simulate_curve",
]

# Longer calls to ``advance`` are split so that controllers and couplings stay accurate.
MAX_SUBSTEP_S = 2.0


class UnknownIdError(LookupError):
    """A probe, device or link id that the scenario does not declare."""


class LabError(RuntimeError):
    """A request the lab's current state forbids, e.g. a cycle while one is running."""


def _rng(seed: int, *parts: str) -> random.Random:
    # String seeds are hashed with SHA-512: stable across runs and Python processes.
    return random.Random("/".join((str(seed), *parts)))


class Lab:
    """A scenario brought to life; see the module docstring."""

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._t = 0.0
        seed = scenario.seed
        self._pasteurisers = {
            spec.id: PasteuriserModel(spec.params, scenario.room_c, _rng(seed, spec.id, "bottles"))
            for spec in scenario.pasteurisers
        }
        self._enclosures = {
            spec.id: EnclosureModel(spec.params, scenario.room_c, _rng(seed, spec.id, "doors"))
            for spec in scenario.enclosures
        }
        self._cycles = sorted(
            (cycle.start_s, i, j, spec.id)
            for i, spec in enumerate(scenario.pasteurisers)
            for j, cycle in enumerate(spec.cycles)
        )
        self._probes = {probe.id: probe for probe in scenario.probes}
        self._truth = {probe.id: self._truth_source(probe) for probe in scenario.probes}
        self._channels = {
            probe.id: ProbeChannel(probe.character, _rng(seed, probe.id, "noise"))
            for probe in scenario.probes
        }
        self._probe_faults = {probe.id: ProbeFaults() for probe in scenario.probes}
        self._links = scenario.link_ids()
        signal_targets = (TargetKind.PROBE, TargetKind.LINK)
        self._signal_faults = tuple(
            f for f in scenario.faults if FAULT_TARGETS[f.kind] in signal_targets
        )
        self._device_faults = tuple(
            f for f in scenario.faults if FAULT_TARGETS[f.kind] not in signal_targets
        )
        self._outputs: dict[str, ProbeOutput] = {}
        self._start_due_cycles()
        self._refresh_outputs()

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Lab:
        return cls(scenario)

    def _truth_source(self, probe: ProbeSpec) -> Callable[[], float]:
        if probe.owner in self._enclosures:
            enclosure = self._enclosures[probe.owner]
            return lambda: enclosure.air_c
        pasteuriser = self._pasteurisers[probe.owner]
        if probe.role is ProbeRole.BATH:
            return lambda: pasteuriser.bath_c
        spec = next(p for p in self._scenario.pasteurisers if p.id == probe.owner)
        bottle = 0 if probe.role is ProbeRole.REFERENCE else 1 + spec.bottle_probes.index(probe.id)
        return lambda: pasteuriser.bottle_c(bottle)

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def sim_time_s(self) -> float:
        """Simulated seconds since the scenario started."""
        return self._t

    def advance(self, dt_s: float) -> None:
        """Move every model ``dt_s`` simulated seconds on, applying the scripted faults."""
        if not (math.isfinite(dt_s) and dt_s >= 0):
            raise ValueError(f"a lab advances by a finite number of seconds >= 0, got {dt_s!r}")
        if dt_s == 0:
            return
        start_s = self._t
        count = max(1, math.ceil(dt_s / MAX_SUBSTEP_S - 1e-9))
        sub_s = dt_s / count
        for i in range(count):
            self._step(start_s + i * sub_s, sub_s)
        self._t = start_s + dt_s
        self._start_due_cycles()
        self._refresh_outputs()

    def _step(self, t_s: float, dt_s: float) -> None:
        self._t = t_s
        self._start_due_cycles()
        active = [f for f in self._device_faults if f.active_at(t_s)]
        for pid, pasteuriser in self._pasteurisers.items():
            pasteuriser.step(dt_s, pasteuriser_inputs(f for f in active if f.target == pid))
        for eid, enclosure in self._enclosures.items():
            enclosure.step(t_s, dt_s, enclosure_inputs(f for f in active if f.target == eid))

    def _start_due_cycles(self) -> None:
        while self._cycles and self._cycles[0][0] <= self._t:
            _, i, j, pid = self._cycles.pop(0)
            cycle = self._scenario.pasteurisers[i].cycles[j]
            model = self._pasteurisers[pid]
            if model.phase is not PasteuriserPhase.IDLE:
                raise LabError(
                    f"{self._scenario.source}: pasteurisers[{i}].cycles[{j}]: pasteuriser {pid} "
                    f"is still {model.phase} at {self._t / 60:g} min; a cycle starts only when "
                    "the pasteuriser is idle"
                )
            model.start_cycle(cycle.setpoint_c, cycle.hold_s)

    def _refresh_outputs(self) -> None:
        t = self._t
        active = [f for f in self._signal_faults if f.active_at(t)]
        down = {f.target for f in active if f.kind is FaultKind.LINK_DOWN}
        for probe_id, probe in self._probes.items():
            measured = self._channels[probe_id].measure(self._truth[probe_id]())
            mine = [f for f in active if f.target == probe_id] if active else []
            link_down = probe.link in down if down else False
            self._outputs[probe_id] = self._probe_faults[probe_id].output(measured, mine, link_down)

    def probe_ids(self) -> list[str]:
        return list(self._probes)

    def link_ids(self) -> list[str]:
        return list(self._links)

    def pasteuriser_ids(self) -> list[str]:
        return list(self._pasteurisers)

    def enclosure_ids(self) -> list[str]:
        return list(self._enclosures)

    def probe(self, probe_id: str) -> ProbeSpec:
        """Where a probe sits (owner, role) and which link serves it."""
        if probe_id not in self._probes:
            raise UnknownIdError(_unknown("probe", probe_id, self._probes))
        return self._probes[probe_id]

    def probe_output(self, probe_id: str) -> ProbeOutput:
        """The probe's noisy measured value now, or the fault that replaces it."""
        if probe_id not in self._outputs:
            raise UnknownIdError(_unknown("probe", probe_id, self._probes))
        return self._outputs[probe_id]

    def true_value(self, probe_id: str) -> float:
        """The model's noiseless temperature where the probe sits (faults do not change it)."""
        if probe_id not in self._truth:
            raise UnknownIdError(_unknown("probe", probe_id, self._probes))
        return self._truth[probe_id]()

    def link_up(self, link_id: str) -> bool:
        if link_id not in self._links:
            raise UnknownIdError(_unknown("link", link_id, self._links))
        return not any(
            f.kind is FaultKind.LINK_DOWN and f.target == link_id and f.active_at(self._t)
            for f in self._signal_faults
        )

    def active_faults(self) -> list[FaultSpec]:
        """The scripted faults in force now."""
        return [f for f in self._scenario.faults if f.active_at(self._t)]

    def start_cycle(self, pasteuriser_id: str, setpoint_c: float, hold_s: float) -> None:
        """Start a program now, as a technician would; refused unless the pasteuriser is idle."""
        model = self._pasteuriser(pasteuriser_id)
        if model.phase is not PasteuriserPhase.IDLE:
            raise LabError(
                f"pasteuriser {pasteuriser_id} is {model.phase}; a cycle starts only when idle"
            )
        model.start_cycle(setpoint_c, hold_s)

    def pasteuriser_phase(self, pasteuriser_id: str) -> PasteuriserPhase:
        return self._pasteuriser(pasteuriser_id).phase

    def pasteuriser_status(self, pasteuriser_id: str) -> PasteuriserStatus:
        """Program state now; the heater power is what it gave over the last step."""
        return self._pasteuriser(pasteuriser_id).status()

    def pasteuriser_model(self, pasteuriser_id: str) -> PasteuriserModel:
        """The model itself, for tests and displays that need more than the probes."""
        return self._pasteuriser(pasteuriser_id)

    def enclosure_status(self, enclosure_id: str) -> EnclosureStatus:
        """Compressor, door, defrost and power as they were over the last step."""
        if enclosure_id not in self._enclosures:
            raise UnknownIdError(_unknown("fridge or freezer", enclosure_id, self._enclosures))
        return self._enclosures[enclosure_id].status()

    def _pasteuriser(self, pasteuriser_id: str) -> PasteuriserModel:
        if pasteuriser_id not in self._pasteurisers:
            raise UnknownIdError(_unknown("pasteuriser", pasteuriser_id, self._pasteurisers))
        return self._pasteurisers[pasteuriser_id]


def _unknown(what: str, given: str, known: Iterable[str]) -> str:
    return f"unknown {what} '{given}'; known: {', '.join(known) or 'none'}"


class CurveSample(NamedTuple):
    """Every requested probe's output at one simulated instant."""

    sim_time_s: float
    outputs: dict[str, ProbeOutput]


def simulate_curve(
    scenario: Scenario,
    probe_ids: Iterable[str] | None = None,
    step_s: float = 1.0,
    duration_s: float | None = None,
) -> list[CurveSample]:
    """Run ``scenario`` in steps of ``step_s`` and sample the probes at 0 and after each step.

    ``probe_ids`` defaults to every probe; ``duration_s`` to the scenario's duration.
    """
    if not (math.isfinite(step_s) and step_s > 0):
        raise ValueError(f"step must be a finite number of seconds > 0, got {step_s!r}")
    lab = Lab(scenario)
    ids = lab.probe_ids() if probe_ids is None else list(probe_ids)
    for probe_id in ids:
        lab.probe(probe_id)
    end_s = scenario.duration_s if duration_s is None else duration_s
    steps = int(end_s / step_s + 1e-9)
    curve = [CurveSample(0.0, {p: lab.probe_output(p) for p in ids})]
    for _ in range(steps):
        lab.advance(step_s)
        curve.append(CurveSample(lab.sim_time_s, {p: lab.probe_output(p) for p in ids}))
    return curve
