"""Dossier speed: run with ``pytest -s tests/benchmarks/test_dossier_speed.py``.

Figures: the time from the journal, and from a bundle, to the PDF of a lot pasteurised in a
90-minute cycle read every second on three probes (16,200 readings), then kept a week (two
days in a fridge, five in a freezer, a reading every 10 s: 60,480 readings); best of three
runs, on one core. Goal: 2 s or less.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli.main import main
from monitor.journal import Journal, LotBook, cycle_stream, enclosure_day_stream, generate_key_file
from monitor.journal.lot_book import signed
from monitor.journal.streams import lot_stream
from monitor.reading import Quality, Reading
from monitor.signature import Signature

pytestmark = pytest.mark.benchmark

S = 1_000_000_000
T0 = 1_795_680_000 * S  # 2026-11-26T08:00:00Z
LOT = "L2026-001"
RUNS = 3
CYCLE_S = 90 * 60
STORED_S = 7 * 86_400
ANNE = Signature("anne", "Anne Martin", "recorded")


class _Clock:
    """Wall time set by the writer of the benchmark: checkpoints are stamped with the data."""

    def __init__(self, now: int) -> None:
        self.now = now

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        return self.now

    def monotonic(self) -> float:
        return self.now / S

    async def sleep(self, seconds: float) -> None:
        self.now += int(seconds * S)


def _cycle_value(t: int) -> float:
    if t < 15 * 60:
        return 20.0 + 43.5 * t / (15 * 60)
    if t < 65 * 60:
        return 63.5 + 0.1 * math.sin(t / 60)
    return max(4.0, 63.5 - 59.5 * (t - 65 * 60) / (20 * 60))


def build(folder: Path) -> Path:
    key = generate_key_file(folder / "device.key")
    path = folder / "journal.sqlite"
    clock = _Clock(T0)
    cycle = cycle_stream("P1", T0)
    with Journal(path, key, clock) as journal:
        book = LotBook(journal)
        book.create(LOT, ["D001", "D002"], ANNE)
        book.record_bacteriology(LOT, "before", 5e3, 10, ANNE, "LAB-1")
        journal.append_event(cycle, "cycle_started", {
            "subject": cycle, "program": "holder63", "setpoint_c": 63.0, "hold_s": 1800.0,
            "lots": LOT, "judged_probes": "P1-ref", "judged_on_bath": False,
            "gap_limit_s": 3.0, "cooling_target_c": 6.0}, ts=T0)  # fmt: skip
        for t in range(1, CYCLE_S):
            clock.now = T0 + t * S
            value = _cycle_value(t)
            for probe, offset in (("P1-bath", 1.0), ("P1-ref", 0.0), ("P1-b1", 0.1)):
                journal.append_reading(cycle, Reading(probe, clock.now, value + offset, Quality.OK))
            if t == 15 * 60:
                journal.append_event(cycle, "hold_started", {"coldest_c": value, "attempt": 1})
            elif t == 45 * 60:
                journal.append_event(cycle, "hold_completed", {"held_s": 1800.0})
        journal.append_event(cycle, "cycle_passed", {
            "subject": cycle, "outcome": "pass", "reasons": "", "to_mark_s": 780.0,
            "to_setpoint_s": 900.0, "plateau_s": 3000.0, "hold_min_c": 63.4, "hold_max_c": 63.6,
            "above_mark_s": 3300.0, "hold_restarts": 0, "overshoots": 0,
            "cooling_s": 1100.0})  # fmt: skip
        journal.seal(cycle, "cycle pass")
        book.link_cycle(LOT, cycle, ANNE)
        stored = T0 + CYCLE_S * S
        _stay(journal, book, clock, "F2", stored, 2 * 86_400, 3.0)
        _stay(journal, book, clock, "Z1", stored + 2 * 86_400 * S, 5 * 86_400, -20.0)
        fields = {"lot": LOT, **signed(Signature("sophie", "Dr Sophie Bernard", "released"))}
        journal.append_event(lot_stream(LOT), "lot_released", fields)
    config = folder / "settings.toml"
    config.write_text(f'[journal]\npath = "{path}"\n[signing]\nkey_file = "{folder}/device.key"\n')
    return config


def _stay(journal: Journal, book: LotBook, clock: _Clock, enclosure: str, start: int,
          seconds: int, value: float) -> None:  # fmt: skip
    clock.now = start
    book.start_stay(LOT, enclosure, start, ANNE)
    for t in range(0, seconds, 10):
        clock.now = start + t * S
        day = datetime.fromtimestamp(clock.now / S, tz=UTC).date()
        reading = Reading(f"{enclosure}-air", clock.now, value + (t % 7) / 10, Quality.OK)
        journal.append_reading(enclosure_day_stream(enclosure, day), reading)
    clock.now = start + seconds * S
    book.end_stay(LOT, enclosure, clock.now, ANNE)


def best(run: object) -> float:
    assert callable(run)
    elapsed = math.inf
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        elapsed = min(elapsed, time.perf_counter() - start)
    return elapsed


def test_time_to_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = build(tmp_path)
    bundle = tmp_path / "lot.jsonl"
    assert main(["export", "--lot", LOT, "--bundle", str(bundle), "--config", str(config)]) == 0
    records = bundle.read_text().count("\n") - 1

    def from_journal() -> None:
        pdf = str(tmp_path / "journal.pdf")
        assert main(["dossier", "--lot", LOT, "--pdf", pdf, "--config", str(config)]) == 3

    def from_bundle() -> None:
        pdf = str(tmp_path / "bundle.pdf")
        assert main(["dossier", "--bundle", str(bundle), "--pdf", pdf]) == 3

    journal_s, bundle_s = best(from_journal), best(from_bundle)
    capsys.readouterr()
    with capsys.disabled():
        print(
            f"\ndossier of a lot with {records:,} records in its bundle "
            f"({bundle.stat().st_size / 1e6:.1f} MB): "
            f"from the journal {journal_s:.2f} s, from the bundle {bundle_s:.2f} s (goal 2 s)"
        )
