"""How a simulated Modbus device puts a temperature into its registers.

The conversion to registers is pymodbus's own (``convert_to_registers``), not the driver's
decoder run backwards, so a test that reads the simulator through the driver checks two
independent implementations against each other.
"""

from __future__ import annotations

import math

from pymodbus.client.mixin import ModbusClientMixin

from config.probes import ModbusSource, Probe
from simulator.models.probe import ProbeFaultKind, ProbeOutput

_DATATYPES = {
    "int16": ModbusClientMixin.DATATYPE.INT16,
    "uint16": ModbusClientMixin.DATATYPE.UINT16,
    "int32": ModbusClientMixin.DATATYPE.INT32,
    "uint32": ModbusClientMixin.DATATYPE.UINT32,
    "float32": ModbusClientMixin.DATATYPE.FLOAT32,
}
INTEGER_LIMITS = {
    "int16": (-(2**15), 2**15 - 1),
    "uint16": (0, 2**16 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
}
_FLOAT32_MAX = 3.4028234663852886e38


def device_value(value_c: float, probe: Probe) -> float:
    """A temperature in °C expressed in the unit the probe's device reports."""
    return value_c * 9.0 / 5.0 + 32.0 if probe.unit == "F" else value_c


def encode_number(number: float, source: ModbusSource) -> list[int]:
    """The registers of ``number`` (device units): divided by the scale, then encoded.

    Integer encodings round to the nearest step and saturate at their limits, as a
    transmitter does when its input is out of range.
    """
    scaled = number / source.scale
    datatype = _DATATYPES[source.encoding]
    if source.encoding == "float32":
        if abs(scaled) > _FLOAT32_MAX:
            scaled = math.copysign(math.inf, scaled)
        return ModbusClientMixin.convert_to_registers(
            float(scaled), datatype, word_order=source.word_order
        )
    low, high = INTEGER_LIMITS[source.encoding]
    if math.isnan(scaled):
        raw = high
    elif math.isinf(scaled):
        raw = high if scaled > 0 else low
    else:
        raw = min(max(round(scaled), low), high)
    return ModbusClientMixin.convert_to_registers(raw, datatype, word_order=source.word_order)


def open_circuit_registers(source: ModbusSource) -> list[int]:
    """A broken sensor's registers when the model gives no sentinel: the top of the
    encoding (32767 for int16, i.e. 3276.7 at ×0.1), NaN for a float."""
    if source.encoding == "float32":
        return ModbusClientMixin.convert_to_registers(
            math.nan, _DATATYPES["float32"], word_order=source.word_order
        )
    top = INTEGER_LIMITS[source.encoding][1]
    return ModbusClientMixin.convert_to_registers(
        top, _DATATYPES[source.encoding], word_order=source.word_order
    )


def encode_output(output: ProbeOutput, probe: Probe, source: ModbusSource) -> list[int]:
    """The registers a device shows for what the lab says its probe measures.

    An open circuit carries the device's own sentinel (already in device units), sent as is.
    """
    if output.fault is ProbeFaultKind.OPEN_CIRCUIT:
        if output.value_c is None:
            return open_circuit_registers(source)
        return encode_number(output.value_c, source)
    if output.value_c is None:
        raise ValueError(f"probe {probe.id}: the lab gave no value and no fault")
    return encode_number(device_value(output.value_c, probe), source)
