"""Journal append speed and size: run with ``pytest -s tests/benchmarks/test_journal_append.py``.

Figures: readings/s appended with chaining, checkpoint signing and batched commits on one
core; the same rows through a bare ``executemany`` for comparison; bytes per reading on disk.
"""

import sqlite3
import time
from pathlib import Path

import pytest

from monitor.journal import Journal, JournalOptions, JournalReader
from monitor.journal.keys import DeviceKey
from monitor.journal.rowcodec import INSERT_RECORD, SELECT_RECORD
from monitor.journal.schema import SCHEMA
from monitor.reading import Quality, Reading

READINGS = 200_000
T0 = 1_795_680_000_000_000_000
# Six probes in three streams, as a lab with a pasteuriser and two enclosures would have.
PROBES = [
    ("cycle:P1:2026-11-26T08:00:00Z", "P1-ref"),
    ("cycle:P1:2026-11-26T08:00:00Z", "P1-bath"),
    ("enclosure:F1:2026-11-26", "F1-air"),
    ("enclosure:F1:2026-11-26", "F1-milk"),
    ("enclosure:C1:2026-11-26", "C1-air"),
    ("enclosure:C1:2026-11-26", "C1-milk"),
]


def readings() -> list[tuple[str, Reading]]:
    out = []
    for i in range(READINGS):
        stream, probe = PROBES[i % len(PROBES)]
        value = round(3.0 + (i % 1000) / 100, 2)
        out.append((stream, Reading(probe, T0 + i * 1_000_000, value, Quality.OK, value + 0.03)))
    return out


@pytest.mark.benchmark
def test_append_readings_per_second(tmp_path: Path) -> None:
    data = readings()
    path = tmp_path / "journal.sqlite"
    options = JournalOptions(commit_interval_s=1.0, checkpoint_every_records=1000)
    journal = Journal(path, DeviceKey.generate(), options=options)
    start = time.perf_counter()
    for stream, reading in data:
        journal.append_reading(stream, reading)
    journal.flush()
    elapsed = time.perf_counter() - start
    journal.close()
    size = path.stat().st_size

    with JournalReader(path) as reader, sqlite3.connect(tmp_path / "bare.sqlite") as bare:
        rows = [row[1:] for _, row in _raw_rows(reader)]
        bare.execute("PRAGMA journal_mode = WAL")
        bare.execute("PRAGMA synchronous = FULL")
        bare.executescript(SCHEMA)
        start = time.perf_counter()
        for i in range(0, len(rows), 10_000):
            with bare:
                bare.executemany(INSERT_RECORD, rows[i : i + 10_000])
        bare_elapsed = time.perf_counter() - start

    print(
        f"\njournal append: {READINGS / elapsed:,.0f} readings/s "
        f"({elapsed * 1e6 / READINGS:.1f} µs each; chained, checkpoint signed every 1000 "
        f"records per stream, committed every 10,000 rows or 1 s)"
        f"\nbare executemany of the same {len(rows):,} rows: {len(rows) / bare_elapsed:,.0f} "
        f"rows/s; journal / bare time ratio: {elapsed / bare_elapsed:.1f}"
        f"\nfile size: {size:,} bytes, {size / READINGS:.1f} bytes per reading"
    )
    assert size > 0


def _raw_rows(reader: JournalReader) -> list[tuple[int, tuple[object, ...]]]:
    rows = reader._run(SELECT_RECORD + " FROM records ORDER BY id")
    return [(int(row[0]), row) for row in rows]
