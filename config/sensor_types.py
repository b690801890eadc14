"""Sensor chips whose reset values look like temperatures, and what each such value means.

docs/RULES.md, Probe faults and plausibility, F2: a DS18B20 reads 85.0 °C at power-on and −127
when disconnected, a Shelly H&T Gen1 −99.5 after power-on; for a probe on such a chip these
exact values are faults. A probe's ``sensor`` setting names its chip; an MQTT preset may imply
it (a Tasmota ``DS18B20`` sensor, a Shelly Gen1 H&T). A reset value is a fault only on exact
equality: 85.0 is the power-on value, 85.1 is a temperature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SensorType = Literal["ds18b20", "shelly_ht_gen1"]


@dataclass(frozen=True, slots=True)
class ResetValue:
    """A value a sensor chip sends when it has not measured anything, in °C."""

    celsius: float
    meaning: str


RESET_VALUES: dict[SensorType, tuple[ResetValue, ...]] = {
    # The DS18B20's scratchpad holds 85 °C until its first conversion; -127 is what the
    # common libraries (Tasmota, ESPHome, DallasTemperature) report for a sensor gone silent.
    "ds18b20": (
        ResetValue(85.0, "DS18B20 power-on value"),
        ResetValue(-127.0, "DS18B20 disconnected"),
    ),
    "shelly_ht_gen1": (ResetValue(-99.5, "Shelly H&T Gen1 value after power-on"),),
}

SENSOR_NAMES: dict[SensorType, str] = {"ds18b20": "DS18B20", "shelly_ht_gen1": "Shelly H&T Gen1"}
