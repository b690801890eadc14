"""From a raw device value to a ``Reading``: unit, calibration offset and quality.

The same rules apply to every transport, so a value means the same thing whether it came
over Modbus, a serial line or MQTT.
"""

from __future__ import annotations

import math

from config.probes import Probe
from monitor.reading import Quality, Reading


def fahrenheit_to_celsius(value: float) -> float:
    return (value - 32.0) * 5.0 / 9.0


def make_reading(probe: Probe, raw: float, ts: int, unit: str | None = None) -> Reading:
    """Qualify a raw value of ``probe`` measured at ``ts`` (UTC ns).

    ``unit`` is the unit the payload declared, if it declared one; otherwise the probe's own.
    A fault value or an implausible one is a probe fault: DOMAIN.md, "a physically impossible
    value (PT100 open circuit, 3276.7, −200) is a probe fault", never a temperature.
    """
    unit = unit or probe.unit
    if not math.isfinite(raw):
        return Reading(probe.id, ts, raw, Quality.FAULT, raw, "not a finite number")
    # float32 registers carry 3276.7 as 3276.69995…: match within a thousandth.
    if any(math.isclose(raw, fault, abs_tol=1e-3) for fault in probe.fault_values):
        return Reading(probe.id, ts, raw, Quality.FAULT, raw, f"fault value {raw:g}")
    celsius = fahrenheit_to_celsius(raw) if unit == "F" else raw
    value = round(celsius + probe.calibration_offset_c, 6)
    if value not in probe.plausible_range:
        return Reading(probe.id, ts, value, Quality.FAULT, raw, f"implausible {value:g} °C")
    if value not in probe.measuring_range:
        return Reading(probe.id, ts, value, Quality.OUT_OF_RANGE, raw, "outside measuring range")
    return Reading(probe.id, ts, value, Quality.OK, raw)
