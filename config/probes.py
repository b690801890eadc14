"""Probes: where each value comes from, how to decode it, and how far to trust it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import Celsius, Identifier, PositiveSeconds, Strict

# Values that real probes send when they are broken: int16 limits scaled by 0.1 (PT100
# transmitters on open circuit), -200 (PT100 short), -127 (DS18B20 not answering).
DEFAULT_FAULT_VALUES = (3276.7, -3276.8, 3276.8, -200.0, -127.0)


class ModbusSource(Strict):
    """A value in one or two registers of a Modbus unit."""

    kind: Literal["modbus"]
    bus: Identifier
    unit_id: int = Field(ge=1, le=247)
    table: Literal["holding", "input"] = "holding"
    address: int = Field(ge=0, le=65535)
    encoding: Literal["int16", "uint16", "int32", "uint32", "float32"] = "int16"
    scale: float = Field(default=0.1, allow_inf_nan=False)
    word_order: Literal["big", "little"] = "big"

    @property
    def register_count(self) -> int:
        return 1 if self.encoding in ("int16", "uint16") else 2

    @model_validator(mode="after")
    def _scale_not_zero(self) -> ModbusSource:
        if self.scale == 0:
            raise ValueError("scale must not be 0")
        return self


class SerialSource(Strict):
    """One field of the lines a serial device prints."""

    kind: Literal["serial"]
    line: Identifier
    field: str = Field(min_length=1)


MqttFormat = Literal["number", "json", "tasmota", "zigbee2mqtt", "shelly"]


class MqttSource(Strict):
    """A topic and how to find the temperature in its payload.

    ``format`` picks a payload style: a plain number; Tasmota (``{"DS18B20":{"Temperature":3.2},
    "TempUnit":"C"}``, the sensor name in ``sensor``); Zigbee2MQTT (``{"temperature":3.21}``);
    Shelly (``{"tC":3.2,"tF":37.8}``); or any JSON with an explicit dotted ``json_path``.
    """

    kind: Literal["mqtt"]
    topic: str = Field(min_length=1)
    format: MqttFormat = "number"
    json_path: str | None = None
    sensor: str = "DS18B20"
    unit_path: str | None = None

    @model_validator(mode="after")
    def _path_rules(self) -> MqttSource:
        if any(c in self.topic for c in "+#"):
            raise ValueError(f"topic {self.topic!r}: one probe needs one topic, no wildcards")
        if self.format == "json" and not self.json_path:
            raise ValueError("format 'json' needs a json_path, e.g. 'sensor.temperature'")
        if self.format == "number" and self.json_path:
            raise ValueError("json_path is not used with format 'number'")
        return self

    def resolved_json_path(self) -> str | None:
        """The dotted path of the temperature in the payload, or None for a plain number."""
        if self.json_path:
            return self.json_path
        return {
            "number": None,
            "json": None,
            "tasmota": f"{self.sensor}.Temperature",
            "zigbee2mqtt": "temperature",
            "shelly": "tC",
        }[self.format]

    def resolved_unit_path(self) -> str | None:
        """Where the payload states its unit, if it does (Tasmota: ``TempUnit``)."""
        if self.unit_path:
            return self.unit_path
        return "TempUnit" if self.format == "tasmota" else None


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


class Probe(Strict):
    """One temperature probe and the trust rules that turn its raw value into a ``Reading``."""

    id: Identifier
    name: str = ""
    source: ProbeSource
    unit: Literal["C", "F"] = "C"
    sample_period_s: PositiveSeconds = 10.0
    stale_after_periods: int = Field(default=3, ge=1, le=1000)
    calibration_offset_c: float = Field(default=0.0, ge=-5, le=5, allow_inf_nan=False)
    calibration_due: date | None = None
    measuring_range: Range = Range(low=-50.0, high=110.0)
    plausible_range: Range = Range(low=-90.0, high=150.0)
    fault_values: tuple[float, ...] = DEFAULT_FAULT_VALUES
    stuck_after_s: PositiveSeconds | None = None

    @model_validator(mode="after")
    def _ranges_nested(self) -> Probe:
        m, p = self.measuring_range, self.plausible_range
        if m.low < p.low or m.high > p.high:
            raise ValueError(
                f"measuring_range {m.low:g}..{m.high:g} must lie inside "
                f"plausible_range {p.low:g}..{p.high:g}"
            )
        return self

    @property
    def stale_after_s(self) -> float:
        return self.sample_period_s * self.stale_after_periods
