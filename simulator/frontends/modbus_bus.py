"""One simulated Modbus bus: its units, its request counts, its link state, its line noise.

pymodbus hands every decoded request to ``on_request`` and every outgoing frame to
``on_frame`` (its ``trace_pdu`` and ``trace_packet`` hooks). Returning no request makes the
server stay silent, which is how a unit that does not answer, an unknown unit id and a link
that is down are simulated; flipping a byte of an outgoing RTU frame breaks its CRC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pymodbus.pdu import ModbusPDU
from pymodbus.simulator import SimDevice

from config.links import ModbusRtuBus, ModbusTcpBus
from config.probes import ModbusSource, Probe
from simulator.frontends.modbus_units import SimulatedUnit
from simulator.frontends.shared import ValueSource


class SimulatedBus:
    """The units of one configured bus and what happened on it."""

    def __init__(
        self, bus: ModbusTcpBus | ModbusRtuBus, probes: Sequence[Probe], values: ValueSource
    ) -> None:
        self.bus = bus
        by_unit: dict[int, list[Probe]] = {}
        for probe in probes:
            source = probe.source
            if not isinstance(source, ModbusSource) or source.bus != bus.id:
                raise ValueError(f"probe {probe.id} is not a Modbus probe of bus {bus.id}")
            by_unit.setdefault(source.unit_id, []).append(probe)
        self.units = {
            unit_id: SimulatedUnit(unit_id, members, values)
            for unit_id, members in sorted(by_unit.items())
        }
        self.answering = True
        self.garbled_frames = 0
        self._requests: Counter[tuple[int, int]] = Counter()
        self._garble: dict[int, int | None] = {}

    def sim_devices(self) -> list[SimDevice]:
        return [unit.sim_device() for unit in self.units.values()]

    def request_count(self, unit_id: int | None = None, function_code: int | None = None) -> int:
        """Requests received, answered or not, for a unit and/or function code (or all)."""
        return sum(
            n
            for (unit, code), n in self._requests.items()
            if unit_id in (None, unit) and function_code in (None, code)
        )

    def reset_counts(self) -> None:
        self._requests.clear()

    def garble_responses(self, unit_id: int, count: int | None = 1) -> None:
        """Break the CRC of the next ``count`` responses of a unit (``None``: until stopped)."""
        if not isinstance(self.bus, ModbusRtuBus):
            raise ValueError(f"bus {self.bus.id} is Modbus TCP: only RTU frames carry a CRC")
        if unit_id not in self.units:
            raise ValueError(f"bus {self.bus.id} has no unit {unit_id}")
        if count is not None and count < 1:
            raise ValueError(f"count must be >= 1 or None, got {count}")
        self._garble[unit_id] = count

    def stop_garbling(self) -> None:
        self._garble.clear()

    def on_request(self, sending: bool, pdu: ModbusPDU) -> ModbusPDU | None:
        """pymodbus ``trace_pdu``: count each request; ``None`` means "do not answer"."""
        if sending:
            return pdu
        self._requests[(pdu.dev_id, pdu.function_code)] += 1
        unit = self.units.get(pdu.dev_id)
        # On a real bus a missing unit is silent; so is every unit while the link is down.
        if not self.answering or unit is None:
            return None
        if unit.silent_for(pdu.function_code, pdu.address, pdu.count):
            return None
        return pdu

    def on_frame(self, sending: bool, frame: bytes) -> bytes:
        """pymodbus ``trace_packet``: corrupt the CRC of RTU responses asked to be garbled."""
        if not sending or not frame or frame[0] not in self._garble:
            return frame
        unit_id = frame[0]
        remaining = self._garble[unit_id]
        if remaining is not None:
            if remaining <= 1:
                del self._garble[unit_id]
            else:
                self._garble[unit_id] = remaining - 1
        self.garbled_frames += 1
        return frame[:-1] + bytes([frame[-1] ^ 0xFF])
