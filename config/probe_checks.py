"""Checks of the probes that need the settings as a whole, for ``lactamon config check``.

Errors are settings that cannot work:
- two Modbus values that share a register (a float32 at 0 beside an int16 at 1), or a
  status register that is another probe's value (one register cannot mean two things).

Warnings are settings that work but deserve a second look:
- a scaled Modbus value, or a plausible range, that cannot hold the temperatures the equipment
  must show (its band and gross limits; a pasteuriser's setpoints and cooling target): every
  such reading would be saturated or a fault;
- a measuring range reaching beyond the plausible range (those values are faults, never
  "out of range");
- a Shelly Gen1 probe, whose bare number is in whatever unit the device is set to.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from config.equipment import Enclosure, PasteurisationRules, Pasteuriser, ProgramSettings
from config.modbus_source import ModbusSource
from config.probe_limits import ProbeLimits, limits_by_probe
from config.probes import MqttSource, Probe

_INTEGER_LIMITS = {
    "int16": (-(2**15), 2**15 - 1),
    "uint16": (0, 2**16 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
}


class CheckedSettings(Protocol):
    """What the checks read: the probes and the equipment and rules they serve."""

    @property
    def probes(self) -> Sequence[Probe]: ...

    @property
    def pasteurisers(self) -> Sequence[Pasteuriser]: ...

    @property
    def enclosures(self) -> Sequence[Enclosure]: ...

    @property
    def programs(self) -> dict[str, ProgramSettings]: ...

    @property
    def pasteurisation(self) -> PasteurisationRules: ...


@dataclass(frozen=True, slots=True)
class SettingsProblem:
    """One finding: where in the settings (TOML path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class _Span:
    index: int
    probe: Probe
    address: int
    count: int
    status: bool


def register_errors(settings: CheckedSettings) -> list[SettingsProblem]:
    """Modbus registers claimed by two meanings; the same first register of two values is
    left to the settings' own cross-reference check, which reports it already."""
    groups: dict[tuple[str, int, str], list[_Span]] = {}
    for i, probe in enumerate(settings.probes):
        source = probe.source
        if not isinstance(source, ModbusSource):
            continue
        key = (source.bus, source.unit_id, source.table)
        groups.setdefault(key, []).append(
            _Span(i, probe, source.address, source.register_count, False)
        )
        if source.status is not None:
            status_key = (source.bus, source.unit_id, source.status.table)
            groups.setdefault(status_key, []).append(
                _Span(i, probe, source.status.address, 1, True)
            )
    errors: list[SettingsProblem] = []
    for (bus, unit_id, table), spans in groups.items():
        for a, b in _overlapping(spans):
            errors.append(_overlap_problem(bus, unit_id, table, a, b))
    return errors


def _overlapping(spans: list[_Span]) -> Iterator[tuple[_Span, _Span]]:
    ordered = sorted(spans, key=lambda s: (s.address, s.index, s.status))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.address >= a.address + a.count:
                break
            if a.status and b.status:
                continue  # channels of one device may share its status register
            if not a.status and not b.status and a.address == b.address:
                continue
            yield a, b


def _overlap_problem(bus: str, unit_id: int, table: str, a: _Span, b: _Span) -> SettingsProblem:
    later = b if b.index >= a.index else a
    other = a if later is b else b
    where = f"{table} register {max(a.address, b.address)} of unit {unit_id} on {bus}"
    what = "status register" if later.status else "value"
    field = "status.address" if later.status else "address"
    owner = f"probe {other.probe.id}'s {'status' if other.status else 'value'}"
    return SettingsProblem(
        f"probes[{later.index}].source.{field}",
        f"the {what} of probe {later.probe.id} overlaps {owner} at {where}",
    )


def probe_warnings(settings: CheckedSettings) -> list[str]:
    """Settings that work but deserve a second look; see the module docstring."""
    limits = limits_by_probe(settings)
    needed = _temperatures_to_show(settings)
    out: list[str] = []
    for probe in settings.probes:
        rules = limits[probe.id]
        shown = needed.get(probe.id)
        if shown is not None:
            out += _range_warnings(probe, rules, *shown)
        measuring = probe.measuring_range
        if measuring is not None and (
            measuring.low < rules.plausible.low or measuring.high > rules.plausible.high
        ):
            out.append(
                f"probe {probe.id}: measuring_range {measuring} reaches beyond the plausible "
                f"range {rules.plausible} of its role; values beyond it are faults"
            )
        source = probe.source
        if isinstance(source, MqttSource) and source.preset.needs_unit:
            out.append(
                f"probe {probe.id}: {source.format} sends a bare number in the unit set on the "
                f"device; check that the device's own unit setting is °{probe.unit}"
            )
    return out


def _temperatures_to_show(settings: CheckedSettings) -> dict[str, tuple[str, list[float]]]:
    """Per probe, its equipment and the temperatures it must be able to show."""
    out: dict[str, tuple[str, list[float]]] = {}
    for enclosure in settings.enclosures:
        band = enclosure.band
        limits = (band.high, band.low, enclosure.gross_low, enclosure.gross_high)
        points = list(dict.fromkeys(t for t in limits if t is not None))
        for probe_id in enclosure.probes:
            out[probe_id] = (f"{enclosure.kind} {enclosure.id}", points)
    if settings.programs:
        rules = settings.pasteurisation
        hottest = max(p.setpoint_c for p in settings.programs.values()) + rules.overshoot_margin_c
        for pasteuriser in settings.pasteurisers:
            for member in pasteuriser.probes:
                points = [rules.cooling_target_c, hottest]
                out[member.probe] = (f"pasteuriser {pasteuriser.id}", points)
    return out


def _range_warnings(
    probe: Probe, rules: ProbeLimits, equipment: str, points: list[float]
) -> list[str]:
    out: list[str] = []
    missing = [t for t in points if t not in rules.plausible]
    if missing:
        out.append(
            f"probe {probe.id}: plausible range {rules.plausible} cannot hold "
            f"{_list(missing)} °C of {equipment}: those readings would be faults"
        )
    source = probe.source
    if isinstance(source, ModbusSource) and source.encoding in _INTEGER_LIMITS:
        low, high = _scaled_range(probe, source)
        beyond = [t for t in points if not low <= t <= high]
        if beyond:
            scale = f"{source.encoding} × {source.scale:g}"
            out.append(
                f"probe {probe.id}: {scale} holds {low:g}..{high:g} °C, which cannot hold "
                f"{_list(beyond)} °C of {equipment}: check the encoding and scale"
            )
    return out


def _scaled_range(probe: Probe, source: ModbusSource) -> tuple[float, float]:
    """The temperatures, in °C, that the probe's registers can express."""
    ends = [n * source.scale for n in _INTEGER_LIMITS[source.encoding]]
    if probe.unit == "F":
        ends = [(t - 32.0) * 5.0 / 9.0 for t in ends]
    ends = [round(t + probe.calibration_offset_c, 6) for t in ends]
    return min(ends), max(ends)


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)
