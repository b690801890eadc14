"""From a raw device value to a ``Reading``: unit, calibration offset and quality.

The same rules apply to every transport, so a value means the same thing whether it came
over Modbus, a serial line or MQTT. The limits are the probe's, resolved for its role
(``config.probe_limits``); without them a probe is taken as owned by no equipment.
"""

from __future__ import annotations

import math

from config.probe_limits import ProbeLimits, probe_limits
from config.probes import Probe
from monitor.reading import Quality, Reading

# A reset value converted from °F comes back a few ulps off: equal within this is equal.
_RESET_TOLERANCE_C = 1e-6


def fahrenheit_to_celsius(value: float) -> float:
    return (value - 32.0) * 5.0 / 9.0


def make_reading(
    probe: Probe,
    raw: float,
    ts: int,
    unit: str | None = None,
    *,
    limits: ProbeLimits | None = None,
    device_fault: str | None = None,
) -> Reading:
    """Qualify a raw value of ``probe`` measured at ``ts`` (UTC ns).

    ``unit`` is the unit the payload declared, if it declared one; otherwise the probe's own.
    ``device_fault`` is what the device itself said is wrong (a status register). A fault
    value, a sensor's reset value or an implausible value is a probe fault, never a
    temperature (docs/RULES.md, Probe faults and plausibility, F1–F3 and F8).
    """
    rules = limits or probe_limits(probe)
    if device_fault is not None:
        return Reading(probe.id, ts, raw, Quality.FAULT, raw, device_fault)
    unit = unit or probe.unit
    if not math.isfinite(raw):
        return Reading(probe.id, ts, raw, Quality.FAULT, raw, "not a finite number")
    celsius = fahrenheit_to_celsius(raw) if unit == "F" else raw
    # Before the generic fault values, which share -127: the sensor's own meaning is clearer.
    for reset in rules.reset_values:
        if math.isclose(celsius, reset.celsius, rel_tol=0, abs_tol=_RESET_TOLERANCE_C):
            detail = f"reset value {reset.celsius:g}: {reset.meaning}"
            return Reading(probe.id, ts, raw, Quality.FAULT, raw, detail)
    # float32 registers carry 3276.7 as 3276.69995…: match within a thousandth.
    if any(math.isclose(raw, fault, abs_tol=1e-3) for fault in rules.fault_values):
        return Reading(probe.id, ts, raw, Quality.FAULT, raw, f"fault value {raw:g}")
    value = round(celsius + probe.calibration_offset_c, 6)
    if value not in rules.plausible:
        return Reading(probe.id, ts, value, Quality.FAULT, raw, f"implausible {value:g} °C")
    if value not in rules.measuring:
        return Reading(probe.id, ts, value, Quality.OUT_OF_RANGE, raw, "outside measuring range")
    return Reading(probe.id, ts, value, Quality.OK, raw)
