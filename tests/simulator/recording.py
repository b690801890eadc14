"""A whole shipped scenario run once at 1 s steps and kept, shared by the curve tests."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from simulator.lab import Lab, ProbeOutput
from simulator.models.enclosure import EnclosureStatus
from simulator.models.pasteuriser import PasteuriserStatus
from simulator.scenario import Scenario, load_shipped_scenario


@dataclass
class Recording:
    """Everything observable, sampled after every 1 s step (index i is at ``times[i]``)."""

    scenario: Scenario
    times: list[float] = field(default_factory=list)
    true: dict[str, list[float]] = field(default_factory=dict)
    outputs: dict[str, list[ProbeOutput]] = field(default_factory=dict)
    pasteurisers: dict[str, list[PasteuriserStatus]] = field(default_factory=dict)
    enclosures: dict[str, list[EnclosureStatus]] = field(default_factory=dict)
    links: dict[str, list[bool]] = field(default_factory=dict)

    def first_time(self, predicate: list[bool], after_s: float = 0.0) -> float:
        """The first sampled time after ``after_s`` where ``predicate`` holds."""
        for t, ok in zip(self.times, predicate, strict=True):
            if t > after_s and ok:
                return t
        raise AssertionError("the condition never held")

    def phase_times(self, pasteuriser: str, phase: str) -> list[float]:
        statuses = self.pasteurisers[pasteuriser]
        return [t for t, s in zip(self.times, statuses, strict=True) if s.phase == phase]

    def between(self, probe: str, start_s: float, end_s: float) -> list[float]:
        """True values sampled in ``[start_s, end_s)``."""
        values = self.true[probe]
        return [v for t, v in zip(self.times, values, strict=True) if start_s <= t < end_s]


def run(lab: Lab) -> Recording:
    rec = Recording(lab.scenario)
    probes = lab.probe_ids()
    for p in probes:
        rec.true[p] = []
        rec.outputs[p] = []
    for pid in lab.pasteuriser_ids():
        rec.pasteurisers[pid] = []
    for eid in lab.enclosure_ids():
        rec.enclosures[eid] = []
    for link in lab.link_ids():
        rec.links[link] = []
    while lab.sim_time_s < lab.scenario.duration_s:
        lab.advance(1.0)
        rec.times.append(lab.sim_time_s)
        for p in probes:
            rec.true[p].append(lab.true_value(p))
            rec.outputs[p].append(lab.probe_output(p))
        for pid, statuses in rec.pasteurisers.items():
            statuses.append(lab.pasteuriser_status(pid))
        for eid, enclosure_statuses in rec.enclosures.items():
            enclosure_statuses.append(lab.enclosure_status(eid))
        for link, states in rec.links.items():
            states.append(lab.link_up(link))
    return rec


@functools.cache
def recording(name: str) -> Recording:
    """The recorded run of shipped scenario ``name`` (computed once per test session)."""
    return run(Lab(load_shipped_scenario(name)))
