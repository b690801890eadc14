"""The parsed, validated scenario: frozen dataclasses the lab is built from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from simulator.models.enclosure import EnclosureParams
from simulator.models.pasteuriser import PasteuriserParams
from simulator.models.probe import ProbeCharacter


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file and the TOML path at fault."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        super().__init__(f"{source}: {path}: {problem}" if path else f"{source}: {problem}")
        self.source = source
        self.path = path
        self.problem = problem


class FaultKind(StrEnum):
    """Every fault a scenario can script, named by what happens."""

    HEATER_FAILURE = "heater_failure"
    SLOW_COOLING = "slow_cooling"
    DOOR_OPEN = "door_open"
    POWER_CUT = "power_cut"
    PROBE_NO_ANSWER = "probe_no_answer"
    PROBE_EXCEPTION = "probe_exception"
    PROBE_OPEN_CIRCUIT = "probe_open_circuit"
    PROBE_STUCK = "probe_stuck"
    PROBE_SPIKE = "probe_spike"
    LINK_DOWN = "link_down"


class TargetKind(StrEnum):
    """What a fault acts on."""

    PASTEURISER = "pasteuriser"
    ENCLOSURE = "enclosure"
    PROBE = "probe"
    LINK = "link"


FAULT_TARGETS: dict[FaultKind, TargetKind] = {
    FaultKind.HEATER_FAILURE: TargetKind.PASTEURISER,
    FaultKind.SLOW_COOLING: TargetKind.PASTEURISER,
    FaultKind.DOOR_OPEN: TargetKind.ENCLOSURE,
    FaultKind.POWER_CUT: TargetKind.ENCLOSURE,
    FaultKind.PROBE_NO_ANSWER: TargetKind.PROBE,
    FaultKind.PROBE_EXCEPTION: TargetKind.PROBE,
    FaultKind.PROBE_OPEN_CIRCUIT: TargetKind.PROBE,
    FaultKind.PROBE_STUCK: TargetKind.PROBE,
    FaultKind.PROBE_SPIKE: TargetKind.PROBE,
    FaultKind.LINK_DOWN: TargetKind.LINK,
}

DEFAULT_SENTINEL_C = 3276.7


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One scripted fault, active on ``[start_s, start_s + duration_s)`` of simulated time.

    Only the parameters of its kind are meaningful: ``sentinel_c`` (probe_open_circuit),
    ``value_c`` (probe_stuck; ``None``: the value at the onset), ``delta_c`` (probe_spike),
    ``opening`` (door_open, 0..1), ``flow_fraction`` and ``water_c`` (slow_cooling; ``water_c``
    ``None`` keeps the nominal chilled water temperature).
    """

    start_s: float
    duration_s: float
    kind: FaultKind
    target: str
    sentinel_c: float = DEFAULT_SENTINEL_C
    value_c: float | None = None
    delta_c: float = 30.0
    opening: float = 1.0
    flow_fraction: float = 0.2
    water_c: float | None = None

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    def active_at(self, t_s: float) -> bool:
        return self.start_s <= t_s < self.end_s


@dataclass(frozen=True, slots=True)
class CycleSpec:
    """A pasteurisation program started at ``start_s``: setpoint and hold duration."""

    start_s: float
    setpoint_c: float
    hold_s: float


class ProbeRole(StrEnum):
    """Where a probe sits (the same words as the monitor's settings use)."""

    BATH = "bath"
    REFERENCE = "reference"
    BOTTLE = "bottle"
    AIR = "air"


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """A probe of the scenario: where it sits, which link serves it, how it deviates."""

    id: str
    owner: str
    role: ProbeRole
    link: str | None
    character: ProbeCharacter


@dataclass(frozen=True, slots=True)
class PasteuriserSpec:
    """A pasteuriser, its probes and its scheduled cycles.

    ``reference_probe`` is in bottle 0 (the fullest, slowest); ``bottle_probes[i]`` is in
    bottle ``i + 1``.
    """

    id: str
    bath_probe: str
    reference_probe: str
    bottle_probes: tuple[str, ...]
    link: str | None
    cycles: tuple[CycleSpec, ...]
    params: PasteuriserParams


class EnclosureKind(StrEnum):
    FRIDGE = "fridge"
    FREEZER = "freezer"


@dataclass(frozen=True, slots=True)
class EnclosureSpec:
    """A fridge or a freezer with its air probe."""

    id: str
    kind: EnclosureKind
    probe: str
    link: str | None
    params: EnclosureParams


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole simulated lab and what goes wrong in it, over ``duration_s`` of simulated time."""

    name: str
    description: str
    seed: int
    duration_s: float
    room_c: float
    pasteurisers: tuple[PasteuriserSpec, ...]
    enclosures: tuple[EnclosureSpec, ...]
    probes: tuple[ProbeSpec, ...]
    faults: tuple[FaultSpec, ...]
    source: str = "<scenario>"

    def probe_ids(self) -> list[str]:
        return [p.id for p in self.probes]

    def link_ids(self) -> list[str]:
        """Every link named by a device, in order of first mention."""
        links = [p.link for p in self.probes if p.link is not None]
        return list(dict.fromkeys(links))

    def probe(self, probe_id: str) -> ProbeSpec:
        for spec in self.probes:
            if spec.id == probe_id:
                return spec
        raise KeyError(probe_id)
