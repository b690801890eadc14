"""Register decoding, checked on known frames, against pymodbus and the simulator's encoder."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pymodbus.client.mixin import ModbusClientMixin

from config.probes import ModbusSource
from drivers.modbus_registers import apply_scale, decode_source, registers_to_number
from simulator.frontends.modbus_encoding import INTEGER_LIMITS, encode_number

ENCODINGS = ["int16", "uint16", "int32", "uint32", "float32"]
DATATYPES = {name: ModbusClientMixin.DATATYPE[name.upper()] for name in ENCODINGS}


def source(encoding: str, scale: float = 0.1, word_order: str = "big") -> ModbusSource:
    return ModbusSource.model_validate(
        {
            "kind": "modbus",
            "bus": "b",
            "unit_id": 1,
            "address": 0,
            "encoding": encoding,
            "scale": scale,
            "word_order": word_order,
        }
    )


@pytest.mark.parametrize(
    ("registers", "encoding", "word_order", "expected"),
    [
        ([625], "int16", "big", 625),
        ([0xFF9C], "int16", "big", -100),
        ([0xFF9C], "uint16", "big", 65436),
        ([0x0001, 0x0002], "int32", "big", 0x00010002),
        ([0x0002, 0x0001], "int32", "little", 0x00010002),
        ([0xFFFF, 0xFFFE], "int32", "big", -2),
        ([0xFFFF, 0xFFFE], "uint32", "big", 0xFFFFFFFE),
        ([0x427A, 0x0000], "float32", "big", 62.5),
        ([0x0000, 0x427A], "float32", "little", 62.5),
        ([0xC1A0, 0x0000], "float32", "big", -20.0),
    ],
)
def test_known_frames(
    registers: list[int], encoding: str, word_order: str, expected: float
) -> None:
    assert registers_to_number(registers, encoding, word_order) == expected  # type: ignore[arg-type]


def test_scale_keeps_decimals_exact() -> None:
    assert apply_scale(32767, 0.1) == 3276.7
    assert apply_scale(625, 0.1) == 62.5
    assert apply_scale(-1996, 0.01) == -19.96
    assert apply_scale(7, 2.0) == 14.0
    assert apply_scale(62.5, 1.0) == 62.5
    assert decode_source([0x7FFF], source("int16")) == 3276.7


@pytest.mark.parametrize(
    ("registers", "encoding", "message"),
    [
        ([1, 2], "int16", "int16 needs 1 register"),
        ([1], "float32", "float32 needs 2 register"),
        ([70000], "uint16", "a register holds 0..65535, got 70000"),
        ([-1], "int16", "a register holds 0..65535, got -1"),
    ],
)
def test_bad_register_lists_are_refused(registers: list[int], encoding: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        registers_to_number(registers, encoding)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    encoding=st.sampled_from(ENCODINGS),
    word_order=st.sampled_from(["big", "little"]),
    words=st.lists(st.integers(0, 0xFFFF), min_size=2, max_size=2),
)
def test_decoding_agrees_with_pymodbus(encoding: str, word_order: str, words: list[int]) -> None:
    registers = words[: 1 if encoding.endswith("16") else 2]
    ours = registers_to_number(registers, encoding, word_order)  # type: ignore[arg-type]
    theirs = ModbusClientMixin.convert_from_registers(
        registers,
        DATATYPES[encoding],
        word_order=word_order,  # type: ignore[arg-type]
    )
    assert isinstance(theirs, int | float)
    assert ours == theirs or (math.isnan(ours) and math.isnan(theirs))


@settings(max_examples=300, deadline=None)
@given(
    encoding=st.sampled_from(ENCODINGS),
    word_order=st.sampled_from(["big", "little"]),
    scale=st.sampled_from([0.1, 0.01, 0.001, 1.0, 0.5]),
    value=st.floats(-90.0, 150.0, allow_nan=False),
)
def test_round_trip_through_the_simulator_encoder(
    encoding: str, word_order: str, scale: float, value: float
) -> None:
    src = source(encoding, scale, word_order)
    low, high = INTEGER_LIMITS.get(encoding, (-math.inf, math.inf))
    assume(low * scale <= value <= high * scale)  # saturation is tested with the encoder
    decoded = decode_source(encode_number(value, src), src)
    tolerance = scale / 2 + 1e-9 if encoding != "float32" else abs(value) * 1e-6 + 1e-9
    assert decoded == pytest.approx(value, abs=tolerance)
