"""A small journal with every kind of stream and record, shared by the journal tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monitor.journal import (
    Journal,
    JournalOptions,
    JournalReader,
    LotBook,
    Record,
    cycle_stream,
    enclosure_day_stream,
)
from monitor.journal.keys import DeviceKey
from monitor.reading import Quality, Reading
from monitor.signature import Signature

T0 = 1_795_680_000_000_000_000  # 2026-11-26T08:00:00Z
S = 1_000_000_000
LOT = "L2026-001"
CYCLE = cycle_stream("P1", T0)
ENCLOSURE = enclosure_day_stream("F1", date(2026, 11, 26))


def device_key(seed: int = 1) -> DeviceKey:
    return DeviceKey.from_private(Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32))


@dataclass
class StepClock:
    """A clock that moves 1 ms each time it is read: stamps are distinct and repeatable."""

    now: int = T0
    mono: float = 0.0

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        self.now += 1_000_000
        return self.now

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.mono += seconds


def alice(meaning: str) -> Signature:
    """Alice signing one lot record; ``meaning`` says what she did."""
    return Signature("alice", "Alice Martin", meaning, "first entry")


def build_journal(path: Path, key: DeviceKey, checkpoint_every: int = 4) -> None:
    """A sealed cycle, an open enclosure-day, a lot with a correction, and the device stream."""
    options = JournalOptions(checkpoint_every_records=checkpoint_every)
    with Journal(path, key, StepClock(), options) as journal:
        for i in range(10):
            reading = Reading("P1-ref", T0 + i * S, 57.5 + i * 0.5, Quality.OK, 57.45 + i * 0.5)
            journal.append_reading(CYCLE, reading)
        journal.append_event(CYCLE, "hold_completed", {"minutes": 30, "min_c": 62.1, "ok": True})
        journal.append_reading(CYCLE, Reading("P1-ref", T0 + 11 * S, 40.0, Quality.OK))
        journal.seal(CYCLE, "cycle ended")
        for i in range(9):
            value = 3.5 if i != 4 else float("nan")
            quality = Quality.OK if i != 4 else Quality.FAULT
            journal.append_reading(ENCLOSURE, Reading("F1-air", T0 + i * 60 * S, value, quality))
        book = LotBook(journal)
        book.create(LOT, ["D001", "D002"], alice("created"))
        book.record_bacteriology(LOT, "before", 1200, 0, alice("recorded"), "LAB-17")
        book.link_cycle(LOT, CYCLE, alice("linked"))
        book.start_stay(LOT, "F1", T0 + 3600 * S, alice("stored"))
        book.correct(
            LOT, 2, "transcription error", alice("corrected"), "total_flora_cfu_ml", 1300.0
        )
    with Journal(path, key, StepClock(now=T0 + 7200 * S), options) as journal:
        journal.append_reading(ENCLOSURE, Reading("F1-air", T0 + 7200 * S, 3.6, Quality.OK))


def all_records(path: Path) -> list[Record]:
    """Every record by stream then seq, with prev_hash linked as a bundle carries it."""
    with JournalReader(path) as reader:
        return [r for name in reader.stream_names() for r in reader.stream_records(name)]
