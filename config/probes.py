"""Probes: where each value comes from, how to decode it, and how far to trust it.

The trust settings left out take defaults from what the probe watches (``config.probe_limits``):
the plausible range of an enclosure's air is not a pasteuriser bath's, and only the settings as
a whole say which equipment owns a probe.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import Celsius, Identifier, Integer, Number, PositiveSeconds, Strict
from config.modbus_source import ModbusSource, ModbusStatus
from config.mqtt_source import MqttSource
from config.parameters import check_as_parameters
from config.sensor_types import SensorType
from monitor.evaluation.params import (
    DEFAULT_SAMPLE_PERIOD_S,
    DEFAULT_STALE_PERIODS,
    ProbeHealthSpec,
)

__all__ = [
    "DEFAULT_FAULT_VALUES",
    "ModbusSource",
    "ModbusStatus",
    "MqttSource",
    "Probe",
    "ProbeSource",
    "Range",
    "SerialSource",
]

# Values that real probes send when they are broken: int16 limits scaled by 0.1 (PT100
# transmitters on open circuit), -200 (PT100 short), -127 (DS18B20 not answering).
DEFAULT_FAULT_VALUES = (3276.7, -3276.8, 3276.8, -200.0, -127.0)


class SerialSource(Strict):
    """One field of the lines a serial device prints."""

    kind: Literal["serial"]
    line: Identifier
    field: str = Field(min_length=1)


ProbeSource = Annotated[ModbusSource | SerialSource | MqttSource, Field(discriminator="kind")]


class Range(Strict):
    """A closed interval of temperatures."""

    low: Celsius
    high: Celsius

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"lower bound {self.low:g} > upper bound {self.high:g}")
        return self

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.low:g}..{self.high:g} °C"


class Probe(Strict):
    """One temperature probe and the trust rules that turn its raw value into a ``Reading``.

    ``sensor`` names the sensor chip when its reset values must be caught (``ds18b20``,
    ``shelly_ht_gen1``); an MQTT preset may imply it. ``plausible_range``,
    ``measuring_range`` and ``max_step_c`` default by the probe's role.
    """

    id: Identifier
    name: str = ""
    source: ProbeSource
    unit: Literal["C", "F"] = "C"
    sensor: SensorType | None = None
    sample_period_s: PositiveSeconds = DEFAULT_SAMPLE_PERIOD_S
    stale_after_periods: Integer = DEFAULT_STALE_PERIODS
    calibration_offset_c: Number = Field(default=0.0, ge=-5, le=5)
    calibration_due: date | None = None
    measuring_range: Range | None = None
    plausible_range: Range | None = None
    fault_values: tuple[Number, ...] = DEFAULT_FAULT_VALUES
    stuck_after_s: PositiveSeconds | None = None
    max_step_c: Number | None = Field(default=None, gt=0, le=250)

    @model_validator(mode="after")
    def _health_rules(self) -> Probe:
        spec = partial(ProbeHealthSpec, self.sample_period_s, self.stale_after_periods,
                       self.stuck_after_s)  # fmt: skip
        check_as_parameters(spec, {"stale_periods": "stale_after_periods"})
        return self

    @model_validator(mode="after")
    def _ranges_nested(self) -> Probe:
        m, p = self.measuring_range, self.plausible_range
        if m is not None and p is not None and (m.low < p.low or m.high > p.high):
            raise ValueError(f"measuring_range {m} must lie inside plausible_range {p}")
        return self

    @model_validator(mode="after")
    def _unit_known(self) -> Probe:
        source = self.source
        if not isinstance(source, MqttSource):
            return self
        style = source.preset
        if style.needs_unit and "unit" not in self.model_fields_set:
            raise ValueError(
                f"format {source.format!r} sends a bare number in the unit set on the device: "
                'set unit = "C" or unit = "F" to the same unit as the device'
            )
        if style.fixed_unit is not None and self.unit != style.fixed_unit:
            raise ValueError(
                f"format {source.format!r} always publishes °{style.fixed_unit}: "
                f'remove unit = "{self.unit}"'
            )
        return self

    @property
    def stale_after_s(self) -> float:
        return self.sample_period_s * self.stale_after_periods
