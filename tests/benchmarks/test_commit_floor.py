"""What one synced commit a second costs the SD card at the least, by page size.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_commit_floor.py -s`` (a few seconds).
During a cycle its readings must be on disk within a second (docs/RULES.md R8), so the journal
commits once a second, and each commit syncs the write-ahead log. What a commit appends to
the log is whole pages, each behind a 24-byte frame header, at the offset where the last one
ended, so it starts and ends inside 4 KiB blocks, and the block it starts in was already
written (and synced) by the commit before. The card gets the blocks a commit touched, which
is what the kernel writes between two syncs.

Here the journal itself (``monitor.journal.Journal``, the daemon's writer) takes the lab's
readings in simulated time: the pasteuriser's 3 probes each second in the cycle's stream
and, unless ``cycle only``, the cold chain's 8 probes every 10 s, each in its enclosure's
stream; it commits after each second, as the daemon does during a cycle. The blocks each
commit touched are counted from the log's growth (a commit appends, and the log restarts
only at a checkpoint, after 10,000 pages). Figures are printed for 512 B, 1 KiB (the
journal's) and 4 KiB pages (SQLite's default): blocks per commit and bytes per reading,
dividing by every reading of the lab (3.8 a second), as ``test_sd_card_writes`` does.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.journal import Journal, keygen, load_key_file, schema, verify_journal
from monitor.reading import Quality, Reading

pytestmark = pytest.mark.benchmark

BLOCK = 4096
SECONDS = 600
T0 = 1_796_000_000 * 10**9  # 2026-11-30, a stamp like the lab's
CYCLE = "cycle:P1:2026-11-30T08:00:00Z"
COLD = [f"enclosure:F{i}:2026-11-30" for i in range(1, 9)]


@dataclass
class SimulatedClock:
    """The lab's time, moved by the benchmark: one second per step."""

    now: int = T0

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        return self.now

    def monotonic(self) -> float:
        return (self.now - T0) / 1e9

    async def sleep(self, seconds: float) -> None:
        raise AssertionError("nothing sleeps here")


def lab_seconds(cold: bool) -> Iterator[list[tuple[str, Reading]]]:
    """Each second's readings, (stream, reading)."""
    rnd = random.Random(1)
    for second in range(SECONDS):
        ts = T0 + second * 10**9
        batch = [(CYCLE, Reading(p, ts, 63.0 + rnd.random(), Quality.OK)) for p in ("P1-bath",
                 "P1-ref", "P1-ambient")]  # fmt: skip
        if cold:
            batch += [
                (stream, Reading(f"F{i}-air", ts, 3.0 + rnd.random(), Quality.OK))
                for i, stream in enumerate(COLD)
                if (second + i) % 10 == 0
            ]
        yield batch


def blocks_touched(before: int, after: int) -> int:
    """The 4 KiB blocks of a write from offset ``before`` to ``after`` (end excluded)."""
    return 0 if after <= before else (after - 1) // BLOCK - before // BLOCK + 1


def one_run(folder: Path, page_size: int, cold: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(schema, "PAGE_SIZE", page_size)
    folder.mkdir()
    keygen(folder / "device.key")
    clock = SimulatedClock()
    path = folder / "journal.sqlite"
    journal = Journal(path, load_key_file(folder / "device.key"), clock)
    wal = Path(f"{path}-wal")
    size, blocks, commits, readings = wal.stat().st_size, 0, 0, 0
    for batch in lab_seconds(cold):
        clock.now = batch[0][1].ts
        for stream, reading in batch:
            journal.append_reading(stream, reading, {"equipment": stream.split(":")[1]})
        journal.flush()
        new = wal.stat().st_size
        if new < size:  # a checkpoint restarted the log
            size = 0
        blocks += blocks_touched(size, new)
        commits, readings, size = commits + 1, readings + len(batch), new
    journal.close()
    report = verify_journal(path, journal.key.public)
    assert report.ok, report
    assert blocks >= commits  # a synced commit writes a block at the least
    per_commit = blocks / commits
    per_reading = blocks * BLOCK / readings
    lab_readings_per_s = 3 + 8 / 10
    at_lab = per_commit * BLOCK / lab_readings_per_s
    what = "cycle and cold chain" if cold else "cycle only"
    return (f"  {page_size:>5} B pages, {what}: {per_commit:.2f} blocks per commit, "
            f"{per_reading:,.0f} B per reading journaled, {at_lab:,.0f} B per reading of the "
            f"lab (3.8/s)")  # fmt: skip


def test_one_commit_a_second_costs_at_least(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        one_run(tmp_path / f"{size}-{cold}", size, cold, monkeypatch)
        for size in (512, 1024, 4096)
        for cold in (False, True)
    ]
    print(
        f"\nA commit each second for {SECONDS} s of the lab, its 4 KiB blocks:\n" + "\n".join(lines)
    )
