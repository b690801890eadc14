"""Modbus sources: the scale each encoding defaults to, and the device's status register."""

from typing import Any

import pytest
from pydantic import ValidationError

from config.probes import ModbusSource, ModbusStatus


def source(**extra: Any) -> ModbusSource:
    return ModbusSource.model_validate(
        {"kind": "modbus", "bus": "b", "unit_id": 1, "address": 0, **extra}
    )


@pytest.mark.parametrize(
    ("encoding", "scale"),
    [("int16", 0.1), ("uint16", 0.1), ("int32", 1.0), ("uint32", 1.0), ("float32", 1.0)],
)
def test_scale_defaults_to_tenths_only_for_16_bit_integers(encoding: str, scale: float) -> None:
    assert source(encoding=encoding).scale == scale
    assert source(encoding=encoding, scale=0.01).scale == 0.01


def test_status_register_by_mask_or_by_value() -> None:
    status = ModbusStatus.model_validate(
        {"address": 8, "table": "input", "fault_mask": 0x0003, "fault_values": {"16": "ADC error"}}
    )
    assert status.fault_reason(0) is None
    assert status.fault_reason(0x0004) is None
    assert status.fault_reason(0x0002) == "device status 0x0002: fault bits 0x0002"
    assert status.fault_reason(16) == "device status 16: ADC error"
    with_source = source(status={"address": 8, "fault_values": {"1": "sensor break"}})
    assert with_source.status is not None
    assert with_source.status.fault_reason(1) == "device status 1: sensor break"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ({"address": 8}, "needs fault_mask, fault_values or both"),
        ({"address": 8, "fault_values": {"x": "bad"}}, "a register value 0..65535"),
        ({"address": 8, "fault_values": {"70000": "bad"}}, "a register value 0..65535"),
        ({"address": 8, "fault_values": {"1": " "}}, "say what the device means"),
        ({"address": 8, "fault_mask": 0}, "greater than or equal to 1"),
        ({"address": 8, "fault_mask": "3"}, "without quotes"),
    ],
)
def test_status_register_mistakes(status: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        source(status=status)
