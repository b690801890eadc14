"""Modbus register decoding: 16-bit words to the number a probe's device meant.

Pure functions, no I/O. A 32-bit value spans two registers; ``word_order`` says which comes
first ("big": high word first, ABCD; "little": low word first, CDAB). Bytes inside a register
are always big-endian, as the Modbus specification fixes them.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Literal

from config.modbus_source import REGISTER_COUNTS, Encoding
from config.probes import ModbusSource

__all__ = ["REGISTER_COUNTS", "Encoding", "apply_scale", "decode_source", "registers_to_number"]

WordOrder = Literal["big", "little"]
_STRUCT_CODES: dict[Encoding, str] = {
    "int16": "h",
    "uint16": "H",
    "int32": "i",
    "uint32": "I",
    "float32": "f",
}


def registers_to_number(
    registers: Sequence[int], encoding: Encoding, word_order: WordOrder = "big"
) -> int | float:
    """The integer or float that ``registers`` hold in ``encoding``, before any scale."""
    expected = REGISTER_COUNTS[encoding]
    if len(registers) != expected:
        raise ValueError(f"{encoding} needs {expected} register(s), got {len(registers)}")
    for register in registers:
        if not 0 <= register <= 0xFFFF:
            raise ValueError(f"a register holds 0..65535, got {register}")
    words = list(registers) if word_order == "big" else list(reversed(registers))
    data = b"".join(word.to_bytes(2, "big") for word in words)
    number: int | float = struct.unpack(">" + _STRUCT_CODES[encoding], data)[0]
    return number


def apply_scale(raw: int | float, scale: float) -> float:
    """``raw`` × ``scale``, exact to the decimal for scales like 0.1 or 0.01.

    ``625 * 0.1`` is 62.50000000000001 in binary floating point, but ``625 / 10`` is the
    float nearest 62.5: dividing by the inverse keeps 32767 × 0.1 equal to the fault value
    3276.7 that the probe settings list.
    """
    if isinstance(raw, int) and abs(scale) < 1:
        inverse = 1 / scale
        if math.isclose(inverse, round(inverse), rel_tol=1e-12):
            return raw / round(inverse)
    return float(raw) * scale


def decode_source(registers: Sequence[int], source: ModbusSource) -> float:
    """The value a probe's registers mean: decoded per its encoding, then scaled."""
    return apply_scale(
        registers_to_number(registers, source.encoding, source.word_order), source.scale
    )
