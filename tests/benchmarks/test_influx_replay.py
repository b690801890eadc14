"""Replaying 1,000,000 journal reading rows into a real InfluxDB 1.6, in batches.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_influx_replay.py -s``. The goal is
60 s or less; the figures are printed, not asserted, since they depend on the host. Records
are made beforehand with stand-in hashes (hashing is the journal's cost, not delivery's);
what is timed is what the outbox pays: encoding, the HTTP writes and InfluxDB's ingestion.
Records carry no ``prev_hash``, as rows read from the journal by row id do not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.influx.tags import Tagger
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.journal.record import FieldValue, Record
from tests.fixtures.influxdb import running_influxdb

pytestmark = pytest.mark.benchmark

ROWS = 1_000_000
BATCH = 5_000  # the default [influxdb] batch_size
GOAL_S = 60.0
T0 = 1_795_287_866_586_123_456
STREAMS = [f"enclosure:F{n}:2026-11-21" for n in range(1, 6)]
PROBES = ["T1", "T2"]


def reading_rows(count: int) -> list[Record]:
    """Readings of 5 enclosures x 2 probes every 10 s, as the journal holds them."""
    records = []
    seqs = dict.fromkeys(STREAMS, 0)
    for n in range(count):
        stream = STREAMS[n % len(STREAMS)]
        probe = PROBES[(n // len(STREAMS)) % len(PROBES)]
        seqs[stream] += 1
        seq = seqs[stream]
        ts = T0 + (n // (len(STREAMS) * len(PROBES))) * 10_000_000_000 + n
        fields: dict[str, FieldValue] = {
            "probe": probe,
            "quality": "ok",
            "value": 4.0 + (n % 97) / 100,
        }
        if n % 2:
            fields["raw"] = 40.0 + n % 97
        records.append(Record(stream, seq, ts, "reading", fields, n.to_bytes(32, "big")))
    return records


async def test_replay_a_million_readings(tmp_path: Path) -> None:
    with running_influxdb(tmp_path / "influxdb") as influxdb:
        await replay(influxdb.url, influxdb.create_database(), influxdb.count)


async def replay(url: str, database: str, count: Callable[[str, str], int]) -> None:
    made = time.perf_counter()
    records = reading_rows(ROWS)
    made = time.perf_counter() - made
    tagger = Tagger("lab", "pi-1", {"T1": "fridge", "T2": "fridge"})
    writer = InfluxV1Writer(url, database, tagger, batch_size=BATCH)
    encode_s = 0.0
    start = time.perf_counter()
    try:
        for first in range(0, ROWS, BATCH):
            batch = records[first : first + BATCH]
            encode_start = time.perf_counter()
            lines = writer.encoder.lines(batch)
            encode_s += time.perf_counter() - encode_start
            await writer._post(lines)
    finally:
        await writer.close()
    total = time.perf_counter() - start
    stored = count(database, 'SELECT count("seq") FROM "lactamon_reading"')
    print(
        f"\nInfluxDB 1.6 replay: {ROWS:,} rows in {total:.1f} s = {ROWS / total:,.0f} rows/s "
        f"(encoding {encode_s:.1f} s, HTTP + InfluxDB {total - encode_s:.1f} s; "
        f"batches of {BATCH:,}; records made in {made:.1f} s beforehand); goal <= {GOAL_S:.0f} s"
    )
    assert stored == ROWS
