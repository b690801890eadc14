"""A Modbus probe's source: the registers of its value and, optionally, of its device's status.

Addresses are the 0-based addresses sent on the wire (register 40001 of a data sheet is
holding register 0). ``scale`` multiplies the decoded number: 0.1 by default for the 16-bit
integer encodings, which carry tenths of a degree on nearly every transmitter, and 1 for
32-bit and float encodings, which carry the value itself.

A status register is where many transmitters say that their value is not a measurement
(sensor break, short circuit, ADC error). ``fault_mask`` lists the bits that mean a fault;
``fault_values`` maps whole register values to the device's own words for them, e.g.
``{ 1 = "sensor break", 2 = "short circuit" }``. Either makes the reading a fault that names
the reason.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from config.base import Identifier, Integer, Number, Strict

Table = Literal["holding", "input"]
Encoding = Literal["int16", "uint16", "int32", "uint32", "float32"]

REGISTER_COUNTS: dict[Encoding, int] = {
    "int16": 1,
    "uint16": 1,
    "int32": 2,
    "uint32": 2,
    "float32": 2,
}
TENTHS_ENCODINGS = ("int16", "uint16")


class ModbusStatus(Strict):
    """The register in which a device says whether its value can be trusted."""

    address: Integer = Field(ge=0, le=65535)
    table: Table = "holding"
    fault_mask: Integer | None = Field(default=None, ge=1, le=0xFFFF)
    fault_values: dict[str, str] = Field(default_factory=dict)

    @field_validator("fault_values")
    @classmethod
    def _values_are_registers(cls, values: dict[str, str]) -> dict[str, str]:
        for key, reason in values.items():
            if not key.isdigit() or int(key) > 0xFFFF:
                raise ValueError(f"fault_values key {key!r}: a register value 0..65535")
            if not reason.strip():
                raise ValueError(f"fault_values {key}: say what the device means by it")
        return values

    @model_validator(mode="after")
    def _says_what_a_fault_is(self) -> ModbusStatus:
        if self.fault_mask is None and not self.fault_values:
            raise ValueError("a status register needs fault_mask, fault_values or both")
        return self

    def fault_reason(self, register: int) -> str | None:
        """What the device says is wrong when its status register holds ``register``."""
        reason = self.fault_values.get(str(register))
        if reason is not None:
            return f"device status {register}: {reason}"
        if self.fault_mask is not None and register & self.fault_mask:
            return f"device status 0x{register:04X}: fault bits 0x{register & self.fault_mask:04X}"
        return None


class ModbusSource(Strict):
    """A value in one or two registers of a Modbus unit (see the module docstring)."""

    kind: Literal["modbus"]
    bus: Identifier
    unit_id: Integer = Field(ge=1, le=247)
    table: Table = "holding"
    address: Integer = Field(ge=0, le=65535)
    encoding: Encoding = "int16"
    scale: Number
    word_order: Literal["big", "little"] = "big"
    status: ModbusStatus | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_scale(cls, data: Any) -> Any:
        if isinstance(data, dict) and "scale" not in data:
            tenths = data.get("encoding", "int16") in TENTHS_ENCODINGS
            return {**data, "scale": 0.1 if tenths else 1.0}
        return data

    @model_validator(mode="after")
    def _scale_not_zero(self) -> ModbusSource:
        if self.scale == 0:
            raise ValueError("scale must not be 0")
        return self

    @property
    def register_count(self) -> int:
        return REGISTER_COUNTS[self.encoding]
