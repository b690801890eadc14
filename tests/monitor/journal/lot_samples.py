"""A lot treated by two closed cycles, one passed and one failed, then stored (test helper)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from monitor.journal import (
    Journal,
    JournalOptions,
    LotBook,
    cycle_stream,
    enclosure_day_stream,
)
from monitor.journal.keys import DeviceKey
from monitor.journal.record import FieldValue
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import T0, StepClock, alice

S = 1_000_000_000
LOT = "L2026-002"
PASSED = cycle_stream("P1", T0)
FAILED = cycle_stream("P2", T0 + 600 * S)
FRIDGE = enclosure_day_stream("F1", date(2026, 11, 26))
FAILED_REASONS = "hold interrupted for 40 s; cooling took 95 min, above the 60 min allowed"
STORED_AT = T0 + 7200 * S
CLOCK = T0 + 10_000 * S


def _cycle(journal: Journal, cycle: str, start: int, kind: str, reasons: str) -> None:
    fields: dict[str, FieldValue | None] = {"subject": cycle, "program": "holder63",
                                            "setpoint_c": 62.5, "lots": LOT}  # fmt: skip
    journal.append_event(cycle, "cycle_started", fields, ts=start)
    for i in range(8):
        journal.append_reading(cycle, Reading("P1-ref", start + i * 60 * S, 63.0, Quality.OK))
    end = start + 8 * 60 * S
    journal.append_event(cycle, "hold_completed", {"minutes": 30, "ok": True}, ts=end)
    cooled = {"value_c": 9.5, "cooling_s": 1500.0}
    journal.append_event(cycle, "cooling_completed", cooled, ts=end + S)
    outcome = "pass" if kind == "cycle_passed" else "fail"
    verdict = {"subject": cycle, "outcome": outcome, "reasons": reasons, "program": "holder63"}
    journal.append_event(cycle, kind, verdict, ts=end + 2 * S)
    journal.seal(cycle, "cycle closed")


def build_lot_journal(path: Path, key: DeviceKey) -> None:
    """Both cycles sealed with their verdicts; the lot linked to them and stored in F1."""
    options = JournalOptions(checkpoint_every_records=4)
    # The writer stamps its seals and the lot's records with the clock: after the readings.
    with Journal(path, key, StepClock(now=CLOCK), options) as journal:
        _cycle(journal, PASSED, T0, "cycle_passed", "")
        _cycle(journal, FAILED, T0 + 600 * S, "cycle_failed", FAILED_REASONS)
        for i in range(10):
            reading = Reading("F1-air", STORED_AT + i * 60 * S, 3.4, Quality.OK)
            journal.append_reading(FRIDGE, reading)
        book = LotBook(journal)
        book.create(LOT, ["D001", "D002"], alice("created"))
        book.record_bacteriology(LOT, "before", 8000, 0, alice("recorded"), "LAB-21")
        book.link_cycle(LOT, PASSED, alice("linked"))
        book.link_cycle(LOT, FAILED, alice("linked"))
        book.start_stay(LOT, "F1", STORED_AT, alice("stored"))
