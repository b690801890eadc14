"""A lot's pasteurisation curves as CSV for spreadsheets: one row per reading.

Columns: ``stream``, ``seq``, ``ts_utc`` and ``ts_local`` (ISO 8601 to the millisecond, the
local one with its offset), ``probe``, ``value_c`` (°C after calibration; empty for a fault
that gave no number) and ``quality``. The rows are the readings of each cycle the lot links,
cycle after cycle, in the order they were recorded.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path

from monitor.journal.dossier import fold_lot
from monitor.journal.errors import JournalError
from monitor.journal.reader import JournalReader
from monitor.journal.readings import READING
from monitor.journal.record import Record
from monitor.journal.streams import lot_stream
from monitor.reports.times import Times

COLUMNS = ("stream", "seq", "ts_utc", "ts_local", "probe", "value_c", "quality")


def export_lot_curves(journal: Path, lot: str, out: Path, zone: str) -> int:
    """Write the readings of every cycle ``lot`` links (voided links too: they were
    recorded), read from the journal; returns the rows (``JournalError``, ``OSError``)."""
    times = Times(zone)
    with JournalReader(Path(journal)) as reader, reader.snapshot():
        records = reader.stream_records(lot_stream(lot))
        if not records:
            raise JournalError(f"{journal}: no lot {lot} in this journal")
        cycles = dict.fromkeys(link.cycle for link in fold_lot(lot, records).cycles)
        return write_curve_csv(out, (r for c in cycles for r in reader.stream_records(c)), times)


def write_curve_csv(path: Path, records: Iterable[Record], times: Times) -> int:
    """Write the reading records among ``records``; returns the rows written (``OSError``)."""
    partial = path.with_name(path.name + ".partial")
    rows = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for record in records:
                if record.kind != READING:
                    continue
                f = record.fields
                value = f.get("value")
                writer.writerow([
                    record.stream, record.seq, times.iso_utc(record.ts),
                    times.iso_local(record.ts), f.get("probe", ""),
                    repr(value) if isinstance(value, float) else "", f.get("quality", ""),
                ])  # fmt: skip
                rows += 1
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return rows
