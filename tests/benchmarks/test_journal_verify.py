"""Verification speed: run with ``pytest -s tests/benchmarks/test_journal_verify.py``.

Figures: records/s verified from the SQLite journal and from an exported bundle (best of
three runs), on one core.
"""

import math
import time
from datetime import date
from pathlib import Path

import pytest

from monitor.journal import (
    Journal,
    JournalOptions,
    LotBook,
    enclosure_day_stream,
    export_lot_bundle,
    verify_bundle,
    verify_journal,
)
from monitor.journal.keys import DeviceKey
from monitor.reading import Quality, Reading
from monitor.signature import Signature

READINGS = 200_000
RUNS = 3  # the best run is printed: other work on the machine only ever slows a run
T0 = 1_795_680_000_000_000_000


@pytest.mark.benchmark
def test_verify_records_per_second(tmp_path: Path) -> None:
    key = DeviceKey.generate()
    path = tmp_path / "journal.sqlite"
    streams = [enclosure_day_stream(e, date(2026, 11, 26)) for e in ("F1", "F2", "C1")]
    with Journal(path, key, options=JournalOptions(checkpoint_every_records=1000)) as journal:
        for i in range(READINGS):
            value = 3.0 + (i % 1000) / 100
            reading = Reading("probe", T0 + i * 1_000_000, value, Quality.OK, value + 0.01)
            journal.append_reading(streams[i % 3], reading)
        book = LotBook(journal)
        book.create("L2026-001", ["D1"], Signature("alice", "Alice Martin", "created"))
        book.start_stay("L2026-001", "F1", T0, Signature("alice", "Alice Martin", "stored"))

    journal_elapsed = math.inf
    for _ in range(RUNS):
        start = time.perf_counter()
        report = verify_journal(path, key.public)
        journal_elapsed = min(journal_elapsed, time.perf_counter() - start)
        assert report.ok
    records = sum(s.records for s in report.streams)

    bundle = tmp_path / "lot.jsonl"
    export = export_lot_bundle(path, "L2026-001", bundle, key=key)
    bundle_elapsed = math.inf
    for _ in range(RUNS):
        start = time.perf_counter()
        assert verify_bundle(bundle, key.public).ok
        bundle_elapsed = min(bundle_elapsed, time.perf_counter() - start)

    print(
        f"\nverify journal: {records:,} records in {journal_elapsed:.2f} s, "
        f"{records / journal_elapsed:,.0f} records/s"
        f"\nverify bundle: {export.records:,} records in {bundle_elapsed:.2f} s, "
        f"{export.records / bundle_elapsed:,.0f} records/s (JSON parsing included)"
    )
