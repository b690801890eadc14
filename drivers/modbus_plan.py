"""Request planning: the fewest Modbus reads that cover a set of probes.

Each probe needs one span of registers for its value and, when it has one, one register for
its device's status. Spans of one unit and one register table that are contiguous, or
separated by a small hole, are read in one request: on RS-485 every request costs a round
trip and two inter-frame silences, far more than a few extra registers. A read never exceeds
the 125 registers that one Modbus "read registers" request may carry.

A probe's value is decoded once every span it needs has been read (``decode_probe``), which
may take two reads when its status register sits in the other table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from config.modbus_source import Table
from config.probes import ModbusSource, Probe
from drivers.modbus_registers import decode_source

MAX_REGISTERS_PER_READ = 125
# A hole of a few registers costs less than a second request; some devices refuse to answer
# for unmapped registers, which is why the hole stays small.
DEFAULT_MAX_GAP = 4

FUNCTION_CODES: dict[Table, int] = {"holding": 3, "input": 4}

# (unit id, table, address): where one register word came from.
RegisterKey = tuple[int, Table, int]


def modbus_source(probe: Probe) -> ModbusSource:
    """The probe's Modbus source, or a ``ValueError`` naming the probe."""
    if not isinstance(probe.source, ModbusSource):
        raise ValueError(f"probe {probe.id} is not a Modbus probe (source {probe.source.kind})")
    return probe.source


@dataclass(frozen=True, slots=True)
class Span:
    """Registers one probe needs: its value, or its device's status register."""

    probe: Probe
    table: Table
    address: int
    count: int

    @property
    def end(self) -> int:
        return self.address + self.count


def spans_of(probe: Probe) -> list[Span]:
    """The value span of ``probe`` and, if it has one, its status register."""
    source = modbus_source(probe)
    spans = [Span(probe, source.table, source.address, source.register_count)]
    if source.status is not None:
        spans.append(Span(probe, source.status.table, source.status.address, 1))
    return spans


@dataclass(frozen=True, slots=True)
class Decoded:
    """A probe's value as decoded and scaled, and what its device said is wrong, if anything."""

    raw: float
    device_fault: str | None


@dataclass(frozen=True)
class RegisterRead:
    """One read request: ``count`` registers from ``address`` of a unit's table."""

    unit_id: int
    table: Table
    address: int
    count: int
    spans: tuple[Span, ...]

    @property
    def function_code(self) -> int:
        return FUNCTION_CODES[self.table]

    @property
    def probes(self) -> tuple[Probe, ...]:
        """The probes with registers in this read, each once, in address order."""
        seen: dict[str, Probe] = {}
        for span in self.spans:
            seen.setdefault(span.probe.id, span.probe)
        return tuple(seen.values())

    @property
    def probe_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.probes)

    def describe(self) -> str:
        """``unit 1 holding registers 0-2``: where the read goes, for messages."""
        last = self.address + self.count - 1
        span = str(self.address) if last == self.address else f"{self.address}-{last}"
        return f"unit {self.unit_id} {self.table} registers {span}"

    def words(self, registers: Sequence[int]) -> dict[RegisterKey, int]:
        """The response's registers, each keyed by where it came from."""
        if len(registers) != self.count:
            raise ValueError(
                f"{self.describe()}: expected {self.count} registers, got {len(registers)}"
            )
        return {
            (self.unit_id, self.table, self.address + i): word for i, word in enumerate(registers)
        }


def decode_probe(probe: Probe, words: Mapping[RegisterKey, int]) -> Decoded | None:
    """The value of ``probe`` from the registers read so far; None while one is missing."""
    source = modbus_source(probe)
    keys = [
        (source.unit_id, source.table, source.address + i) for i in range(source.register_count)
    ]
    if any(key not in words for key in keys):
        return None
    raw = decode_source([words[key] for key in keys], source)
    if source.status is None:
        return Decoded(raw, None)
    status_key = (source.unit_id, source.status.table, source.status.address)
    if status_key not in words:
        return None
    return Decoded(raw, source.status.fault_reason(words[status_key]))


def plan_reads(
    probes: Iterable[Probe],
    max_gap: int = DEFAULT_MAX_GAP,
    max_count: int = MAX_REGISTERS_PER_READ,
) -> list[RegisterRead]:
    """Group the spans of ``probes`` into reads, ordered by unit, table and address.

    Two spans of one unit and table share a read when at most ``max_gap`` registers separate
    them and the merged read stays within ``max_count`` registers.
    """
    if max_gap < 0:
        raise ValueError(f"max_gap must be >= 0, got {max_gap}")
    if not 2 <= max_count <= MAX_REGISTERS_PER_READ:
        raise ValueError(f"max_count must be 2..{MAX_REGISTERS_PER_READ}, got {max_count}")
    groups: dict[tuple[int, Table], list[Span]] = {}
    for probe in probes:
        source = modbus_source(probe)
        if source.address + source.register_count > 0x10000:
            raise ValueError(
                f"probe {probe.id}: {source.encoding} at address {source.address} runs past "
                "the last register 65535"
            )
        for span in spans_of(probe):
            groups.setdefault((source.unit_id, span.table), []).append(span)
    reads: list[RegisterRead] = []
    for (unit_id, table), members in sorted(groups.items()):
        reads += _merge(unit_id, table, members, max_gap, max_count)
    return reads


def _merge(
    unit_id: int, table: Table, spans: list[Span], max_gap: int, max_count: int
) -> list[RegisterRead]:
    ordered = sorted(spans, key=lambda s: (s.address, s.probe.id))
    reads: list[RegisterRead] = []
    start = end = 0
    current: list[Span] = []
    for span in ordered:
        if current and span.address - end <= max_gap and max(end, span.end) - start <= max_count:
            end = max(end, span.end)
            current.append(span)
            continue
        if current:
            reads.append(RegisterRead(unit_id, table, start, end - start, tuple(current)))
        start, end, current = span.address, span.end, [span]
    if current:
        reads.append(RegisterRead(unit_id, table, start, end - start, tuple(current)))
    return reads
