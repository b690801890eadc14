"""What a simulated device puts in its registers, including saturation and broken sensors."""

from __future__ import annotations

import math
from typing import Any

import pytest

from config.probes import ModbusSource, Probe
from drivers.modbus_registers import decode_source
from simulator.frontends.modbus_encoding import encode_number, encode_output, open_circuit_registers
from simulator.models.probe import ProbeFaultKind, ProbeOutput
from tests.simulator.frontends.modbus_fakes import modbus_probe


def probe(**extra: Any) -> tuple[Probe, ModbusSource]:
    p = Probe.model_validate(modbus_probe("p", "b", 1, 0, **extra))
    assert isinstance(p.source, ModbusSource)
    return p, p.source


@pytest.mark.parametrize(
    ("encoding", "value", "registers"),
    [
        ("int16", 5000.0, [32767]),
        ("int16", -5000.0, [0x8000]),
        ("uint16", -3.0, [0]),
        ("uint16", 7000.0, [65535]),
        ("int16", math.nan, [32767]),
        ("int16", -math.inf, [0x8000]),
    ],
)
def test_integers_saturate_like_a_transmitter(
    encoding: str, value: float, registers: list[int]
) -> None:
    _, source = probe(encoding=encoding)
    assert encode_number(value, source) == registers


def test_open_circuit_sends_the_sentinel() -> None:
    p, source = probe()
    assert encode_output(ProbeOutput(3276.7, ProbeFaultKind.OPEN_CIRCUIT), p, source) == [32767]
    assert open_circuit_registers(source) == [32767]
    _, u32 = probe(encoding="uint32", word_order="little")
    assert open_circuit_registers(u32) == [0xFFFF, 0xFFFF]
    fp, flt = probe(encoding="float32", scale=1.0)
    nan = encode_output(ProbeOutput(None, ProbeFaultKind.OPEN_CIRCUIT), fp, flt)
    assert math.isnan(decode_source(nan, flt))
    assert encode_number(1e40, flt) == [0x7F80, 0x0000]  # beyond float32: infinity


def test_a_fahrenheit_device_reports_fahrenheit() -> None:
    p, source = probe(unit="F")
    assert encode_output(ProbeOutput(62.5), p, source) == [1445]  # 144.5 °F


def test_no_value_and_no_fault_is_a_lab_error() -> None:
    p, source = probe()
    with pytest.raises(ValueError, match="probe p: the lab gave no value and no fault"):
        encode_output(ProbeOutput(None), p, source)
