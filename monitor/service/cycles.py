"""A pasteurisation cycle in the service: opened once, whether started now or resumed.

``open_cycle`` is the one place a cycle machine is made from the settings, for a start
requested by a technician and for a cycle rebuilt from its records after a restart, so the
two can never judge the same cycle by different rules. ``lot_bacteriology`` is the one
place the lots' results before pasteurisation are read from their streams.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import Settings
from monitor.errors import NotFound, Refused
from monitor.evaluation import CycleMachine, Event, LotBacteriology, start_cycle
from monitor.journal import JournalReader, Record, fold_lot, lot_stream
from monitor.journal.streams import parse_stream
from monitor.service import wiring


@dataclass
class ActiveCycle:
    """A cycle in progress on a pasteuriser; its id is its journal stream."""

    stream: str
    pasteuriser: str
    lots: tuple[str, ...]
    program: str
    machine: CycleMachine


def open_cycle(
    settings: Settings,
    stream: str,
    pasteuriser_id: str,
    program_name: str,
    lots: list[LotBacteriology],
    started_ns: int,
) -> tuple[ActiveCycle, tuple[Event, ...]]:
    """The cycle and its start records; ``StartRefused`` when the lots forbid the program."""
    pasteuriser = wiring.pasteuriser(settings, pasteuriser_id)
    program = wiring.program(settings, program_name)
    machine, events = start_cycle(
        stream,
        started_ns,
        program,
        lots,
        wiring.cycle_probes(pasteuriser),
        wiring.cycle_policy(settings, pasteuriser),
        wiring.flora_limits(settings),
    )
    lot_ids = tuple(lot.lot_id for lot in lots)
    return ActiveCycle(stream, pasteuriser_id, lot_ids, program.name, machine), events


def lot_bacteriology(reader: JournalReader, lot: str) -> LotBacteriology:
    """The lot's latest result before pasteurisation, as the cycle rules take it."""
    records = reader.stream_records(lot_stream(lot))
    if not records:
        raise NotFound(f"unknown lot {lot!r}: create it with its bacteriology first")
    before = fold_lot(lot, records).latest_bacteriology("before")
    if before is None:
        raise Refused(f"lot {lot} has no bacteriology before pasteurisation")
    return LotBacteriology(lot, before.total_flora_cfu_ml, before.s_aureus_cfu_ml)


def reopen_cycle(
    settings: Settings, reader: JournalReader, started: Record
) -> tuple[ActiveCycle, tuple[Event, ...]]:
    """A cycle rebuilt from its ``cycle_started`` record, with the lots' recorded results."""
    lot_ids = [lot for lot in str(started.fields["lots"]).split(",") if lot]
    lots = []
    for lot in lot_ids:
        try:
            lots.append(lot_bacteriology(reader, lot))
        except (NotFound, Refused):
            # The cycle was accepted when it started: its record is the proof of that.
            lots.append(LotBacteriology(lot, 0.0, 0.0))
    pasteuriser_id = parse_stream(started.stream).subject
    program = str(started.fields["program"])
    return open_cycle(settings, started.stream, pasteuriser_id, program, lots, started.ts)
