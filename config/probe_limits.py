"""What a probe's readings must satisfy to count as temperatures, by the probe's role.

A probe's role is given by the equipment that owns it in the settings: the air of an enclosure
(fridge, freezer) or a probe of a pasteuriser (bath, reference, bottle). The rules
(docs/RULES.md, Probe faults and plausibility, F2, F3 and F6):

- plausible range: enclosure air −50..+50 °C, pasteuriser probes −10..+110 °C; a probe that
  no equipment owns keeps −90..+150 °C. A value outside is a fault, never a temperature.
- measuring range: −50..+110 °C, within the plausible range.
- reset values: those of the probe's ``sensor``, or the one its MQTT preset implies.
- spikes: a step between consecutive readings larger than ``max_step_c`` (15 °C for enclosure
  air; none for pasteuriser probes, whose bath heats and cools by design) makes the reading
  suspect.

Settings given on a probe win over these defaults. The drivers take the limits from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from config.equipment import Enclosure, Pasteuriser
from config.probes import MqttSource, Probe, Range
from config.sensor_types import RESET_VALUES, ResetValue, SensorType

Role = Literal["enclosure", "pasteuriser", "unassigned"]

PLAUSIBLE_BY_ROLE: dict[Role, Range] = {
    "enclosure": Range(low=-50.0, high=50.0),
    "pasteuriser": Range(low=-10.0, high=110.0),
    "unassigned": Range(low=-90.0, high=150.0),
}
MAX_STEP_BY_ROLE: dict[Role, float | None] = {
    "enclosure": 15.0,
    "pasteuriser": None,
    "unassigned": None,
}
DEFAULT_MEASURING_RANGE = Range(low=-50.0, high=110.0)


class Equipment(Protocol):
    """What the role of a probe is read from: the settings as a whole."""

    @property
    def probes(self) -> Sequence[Probe]: ...

    @property
    def pasteurisers(self) -> Sequence[Pasteuriser]: ...

    @property
    def enclosures(self) -> Sequence[Enclosure]: ...


@dataclass(frozen=True, slots=True)
class ProbeLimits:
    """The resolved trust rules of one probe."""

    role: Role
    plausible: Range
    measuring: Range
    fault_values: tuple[float, ...]
    sensor: SensorType | None
    reset_values: tuple[ResetValue, ...]
    max_step_c: float | None


def probe_roles(settings: Equipment) -> dict[str, Role]:
    """The role of every probe of ``settings``; probes no equipment owns are unassigned."""
    roles: dict[str, Role] = dict.fromkeys((p.id for p in settings.probes), "unassigned")
    for pasteuriser in settings.pasteurisers:
        for member in pasteuriser.probes:
            roles[member.probe] = "pasteuriser"
    for enclosure in settings.enclosures:
        for probe_id in enclosure.probes:
            roles[probe_id] = "enclosure"
    return roles


def sensor_type(probe: Probe) -> SensorType | None:
    """The probe's sensor chip: its ``sensor`` setting, or what its MQTT preset implies."""
    if probe.sensor is not None:
        return probe.sensor
    source = probe.source
    if isinstance(source, MqttSource):
        return source.preset.implied_sensor_type(source.sensor)
    return None


def probe_limits(probe: Probe, role: Role = "unassigned") -> ProbeLimits:
    """The limits of ``probe`` in ``role``: its own settings, defaults for the rest."""
    plausible = probe.plausible_range or PLAUSIBLE_BY_ROLE[role]
    measuring = probe.measuring_range or _within(DEFAULT_MEASURING_RANGE, plausible)
    sensor = sensor_type(probe)
    max_step = probe.max_step_c if probe.max_step_c is not None else MAX_STEP_BY_ROLE[role]
    return ProbeLimits(
        role=role,
        plausible=plausible,
        measuring=measuring,
        fault_values=tuple(probe.fault_values),
        sensor=sensor,
        reset_values=RESET_VALUES[sensor] if sensor is not None else (),
        max_step_c=max_step,
    )


def limits_by_probe(settings: Equipment) -> dict[str, ProbeLimits]:
    """The limits of every probe of ``settings``, each in its role."""
    roles = probe_roles(settings)
    return {p.id: probe_limits(p, roles[p.id]) for p in settings.probes}


def limits_for(
    probes: Iterable[Probe], limits: Mapping[str, ProbeLimits] | None
) -> dict[str, ProbeLimits]:
    """``limits`` for ``probes``, a probe missing from it taken as unassigned."""
    given = limits or {}
    return {p.id: given.get(p.id) or probe_limits(p) for p in probes}


def _within(wanted: Range, bounds: Range) -> Range:
    low, high = max(wanted.low, bounds.low), min(wanted.high, bounds.high)
    if low > high:
        return bounds
    return Range(low=low, high=high)
