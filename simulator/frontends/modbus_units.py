"""The simulated Modbus units of one bus: register maps that answer from the lab.

Registers are computed per request (a pymodbus ``SimDevice`` action) rather than refreshed
on a timer: every answer is what the lab says at the moment the request arrives, a fault
takes effect on the very next request, and no refresh task has to be kept in step with the
sample periods of the probes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from pymodbus.constants import ExcCodes
from pymodbus.simulator import DataType, SimData, SimDevice

from config.probes import ModbusSource, Probe
from simulator.frontends.modbus_encoding import encode_output
from simulator.frontends.shared import ValueSource
from simulator.models.probe import ProbeFaultKind

# Holes this small inside a unit's map read as 0, as on most transmitters; a larger one is
# unmapped, and a read across it gets "illegal data address".
SERVED_HOLE = 16
_TABLE_OF_FUNCTION = {3: "holding", 4: "input"}


class SimulatedUnit:
    """One unit id on a bus, with the probes it serves in its holding and input tables."""

    def __init__(self, unit_id: int, probes: Sequence[Probe], values: ValueSource) -> None:
        self.unit_id = unit_id
        self._values = values
        self._tables: dict[str, list[tuple[Probe, ModbusSource]]] = {"holding": [], "input": []}
        for probe in probes:
            source = probe.source
            if not isinstance(source, ModbusSource) or source.unit_id != unit_id:
                raise ValueError(f"probe {probe.id} is not a Modbus probe of unit {unit_id}")
            self._tables[source.table].append((probe, source))
        for table, served in self._tables.items():
            served.sort(key=lambda item: item[1].address)
            _check_no_overlap(unit_id, table, served)

    def sim_device(self) -> SimDevice:
        """A fresh pymodbus device (coils, discrete inputs, holding, input), read-only."""
        bits = [SimData(0, values=[False] * 16, datatype=DataType.BITS)]
        return SimDevice(
            id=self.unit_id,
            simdata=(bits, bits, self._blocks("holding"), self._blocks("input")),
            action=self.action,
        )

    def _blocks(self, table: str) -> list[SimData]:
        served = self._tables[table]
        if not served:
            return [SimData(0, datatype=DataType.INVALID)]
        blocks: list[SimData] = []
        start, end = served[0][1].address, served[0][1].address
        for _, source in served:
            if source.address - end > SERVED_HOLE:
                blocks.append(_block(start, end))
                start = source.address
            end = max(end, source.address + source.register_count)
        blocks.append(_block(start, end))
        return blocks

    def probes_in(self, function_code: int, address: int, count: int) -> list[Probe]:
        """The probes whose registers a read of ``count`` registers at ``address`` touches."""
        return [probe for probe, _ in self._served_in(function_code, address, count)]

    def _served_in(
        self, function_code: int, address: int, count: int
    ) -> list[tuple[Probe, ModbusSource]]:
        table = _TABLE_OF_FUNCTION.get(function_code)
        if table is None:
            return []
        end = address + count
        return [
            (probe, source)
            for probe, source in self._tables[table]
            if source.address < end and address < source.address + source.register_count
        ]

    def silent_for(self, function_code: int, address: int, count: int) -> bool:
        """True when a probe in the request is one whose device gives no answer."""
        return any(
            self._values.probe_output(p.id).fault is ProbeFaultKind.NO_ANSWER
            for p in self.probes_in(function_code, address, count)
        )

    async def action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        """pymodbus calls this for each request: fill the registers asked for from the lab."""
        outputs = [
            (probe, source, self._values.probe_output(probe.id))
            for probe, source in self._served_in(function_code, address, count)
        ]
        if any(output.fault is ProbeFaultKind.DEVICE_EXCEPTION for _, _, output in outputs):
            return ExcCodes.DEVICE_FAILURE
        for probe, source, output in outputs:
            words = encode_output(output, probe, source)
            offset = source.address - start_address
            registers[offset : offset + len(words)] = words
        return None


def _block(start: int, end: int) -> SimData:
    return SimData(start, count=end - start, values=0, datatype=DataType.REGISTERS, readonly=True)


def _check_no_overlap(unit_id: int, table: str, served: list[tuple[Probe, ModbusSource]]) -> None:
    for (first, a), (second, b) in itertools.pairwise(served):
        if b.address < a.address + a.register_count:
            raise ValueError(
                f"probes {first.id} and {second.id} share {table} registers of unit {unit_id}; "
                "a device cannot show two values in one register"
            )
