"""The lot's curves as CSV: one row per reading of its cycles, with UTC and local ISO times."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from monitor.journal import JournalError, JournalReader
from monitor.reports.curve_csv import COLUMNS, export_lot_curves
from tests.monitor.reports.lot_lab import LOT, LotLab, shared_lot_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LotLab:
    return shared_lot_lab(tmp_path_factory.getbasetemp())


def test_one_row_per_reading_with_iso_times(lab: LotLab, tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    rows = export_lot_curves(lab.journal, LOT, out, "Europe/Paris")
    with JournalReader(lab.journal) as reader:
        readings = [r for r in reader.stream_records(lab.cycle) if r.kind == "reading"]
    assert rows == len(readings) > 1000
    with out.open(encoding="utf-8", newline="") as file:
        table = list(csv.reader(file))
    assert tuple(table[0]) == COLUMNS
    assert len(table) == rows + 1
    first = dict(zip(COLUMNS, table[1], strict=True))
    assert first["stream"] == lab.cycle
    assert int(first["seq"]) == readings[0].seq
    utc, local = datetime.fromisoformat(first["ts_utc"]), datetime.fromisoformat(first["ts_local"])
    assert first["ts_utc"].endswith("Z")
    assert first["ts_local"].endswith("+02:00")  # Paris in June
    assert utc == local
    assert int(utc.timestamp()) == readings[0].ts // 1_000_000_000
    assert float(first["value_c"]) == readings[0].fields["value"]
    assert {row[4] for row in table[1:]} == {"P1-bath", "P1-ref", "P1-b1"}
    assert {row[6] for row in table[1:]} == {"ok"}


def test_an_unknown_lot_is_named(lab: LotLab, tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no lot L2099-001"):
        export_lot_curves(lab.journal, "L2099-001", tmp_path / "x.csv", "Europe/Paris")
    assert not (tmp_path / "x.csv").exists()
