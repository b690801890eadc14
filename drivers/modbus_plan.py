"""Request planning: the fewest Modbus reads that cover a set of probes.

Probes of one unit and one register table whose registers are contiguous, or separated by a
small hole, are read in one request: on RS-485 every request costs a round trip and two
inter-frame silences, far more than a few extra registers. A read never exceeds the 125
registers that one Modbus "read registers" request may carry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from config.probes import ModbusSource, Probe
from drivers.modbus_registers import decode_source

Table = Literal["holding", "input"]

MAX_REGISTERS_PER_READ = 125
# A hole of a few registers costs less than a second request; some devices refuse to answer
# for unmapped registers, which is why the hole stays small.
DEFAULT_MAX_GAP = 4

FUNCTION_CODES: dict[Table, int] = {"holding": 3, "input": 4}


def modbus_source(probe: Probe) -> ModbusSource:
    """The probe's Modbus source, or a ``ValueError`` naming the probe."""
    if not isinstance(probe.source, ModbusSource):
        raise ValueError(f"probe {probe.id} is not a Modbus probe (source {probe.source.kind})")
    return probe.source


@dataclass(frozen=True)
class RegisterRead:
    """One read request: ``count`` registers from ``address`` of a unit's table."""

    unit_id: int
    table: Table
    address: int
    count: int
    probes: tuple[Probe, ...]

    @property
    def function_code(self) -> int:
        return FUNCTION_CODES[self.table]

    @property
    def probe_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.probes)

    def describe(self) -> str:
        """``unit 1 holding registers 0-2``: where the read goes, for messages."""
        last = self.address + self.count - 1
        span = str(self.address) if last == self.address else f"{self.address}-{last}"
        return f"unit {self.unit_id} {self.table} registers {span}"

    def decode(self, registers: Sequence[int]) -> list[tuple[Probe, float]]:
        """Each probe of this read with its value taken from the response's registers."""
        if len(registers) != self.count:
            raise ValueError(
                f"{self.describe()}: expected {self.count} registers, got {len(registers)}"
            )
        values = []
        for probe in self.probes:
            source = modbus_source(probe)
            offset = source.address - self.address
            words = registers[offset : offset + source.register_count]
            values.append((probe, decode_source(words, source)))
        return values


def plan_reads(
    probes: Iterable[Probe],
    max_gap: int = DEFAULT_MAX_GAP,
    max_count: int = MAX_REGISTERS_PER_READ,
) -> list[RegisterRead]:
    """Group ``probes`` into reads, ordered by unit, table and address.

    Two ranges of one unit and table share a read when at most ``max_gap`` registers separate
    them and the merged read stays within ``max_count`` registers.
    """
    if max_gap < 0:
        raise ValueError(f"max_gap must be >= 0, got {max_gap}")
    if not 2 <= max_count <= MAX_REGISTERS_PER_READ:
        raise ValueError(f"max_count must be 2..{MAX_REGISTERS_PER_READ}, got {max_count}")
    groups: dict[tuple[int, Table], list[Probe]] = {}
    for probe in probes:
        source = modbus_source(probe)
        if source.address + source.register_count > 0x10000:
            raise ValueError(
                f"probe {probe.id}: {source.encoding} at address {source.address} runs past "
                "the last register 65535"
            )
        groups.setdefault((source.unit_id, source.table), []).append(probe)
    reads: list[RegisterRead] = []
    for (unit_id, table), members in sorted(groups.items()):
        reads += _merge(unit_id, table, members, max_gap, max_count)
    return reads


def _merge(
    unit_id: int, table: Table, probes: list[Probe], max_gap: int, max_count: int
) -> list[RegisterRead]:
    ordered = sorted(probes, key=lambda p: (modbus_source(p).address, p.id))
    reads: list[RegisterRead] = []
    start = end = 0
    current: list[Probe] = []
    for probe in ordered:
        source = modbus_source(probe)
        p_start, p_end = source.address, source.address + source.register_count
        if current and p_start - end <= max_gap and max(end, p_end) - start <= max_count:
            end = max(end, p_end)
            current.append(probe)
            continue
        if current:
            reads.append(RegisterRead(unit_id, table, start, end - start, tuple(current)))
        start, end, current = p_start, p_end, [probe]
    if current:
        reads.append(RegisterRead(unit_id, table, start, end - start, tuple(current)))
    return reads
