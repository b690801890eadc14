"""The journal's writes per reading in its steady state: a day's streams already long.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_sd_card_steady.py -s`` (about a
minute). ``test_sd_card_writes`` measures the daemon on a new journal, whose streams are
short: the ends of all of them share a page or two of the (stream, seq) index. Once a stream
holds more than a page of index entries (within the first hour of a day for a fridge read
every 10 s), each commit writes one index page for each stream it adds to, and that is most
of what it writes. Here a writer process appends the lab's readings (3 pasteuriser probes at
1 Hz, 8 enclosures read every 10 s, each in its own stream) with simulated stamps, half an
hour of them first, then two hours measured, committing every 10 s of readings (the cold
bound, no cycle) or every second (a cycle running), under ``strace``: the distinct 4 KiB
blocks each file gets between two of its syncs (``test_sd_card_writes.blocks_written``).
Each run is made with the page size and WAL checkpoint threshold of a new journal, and with
SQLite's defaults (4 KiB pages, checkpoint at 1000 pages) for comparison.

Figures are printed; what is asserted is that the journals verify.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.journal import keygen, verify_journal
from monitor.journal.schema import PAGE_SIZE, WAL_AUTOCHECKPOINT_PAGES
from tests.benchmarks.test_sd_card_writes import blocks_written

pytestmark = pytest.mark.benchmark

ROOT = Path(__file__).parents[2]
WARM_UP_S, MEASURED_S = 1800, 7200  # simulated seconds of readings
MARK = "measure.mark"

WRITER = """
import os, sys
from pathlib import Path
from monitor.journal import Journal, JournalOptions, schema
from monitor.journal.keys import load_key_file
from monitor.reading import Quality, Reading

folder, mark_name, page, checkpoint_pages, commit_s, cycle, warm_up, measured = sys.argv[1:9]
schema.PAGE_SIZE, schema.WAL_AUTOCHECKPOINT_PAGES = int(page), int(checkpoint_pages)
never = JournalOptions(commit_interval_s=60, cold_commit_interval_s=60,
                       commit_every_records=10**6, max_pending_records=10**6)
key = load_key_file(Path(folder) / "device.key")
journal = Journal(Path(folder) / "journal.sqlite", key, options=never)
T0, day = 1_795_680_000 * 10**9, "2026-11-26"
pasteuriser = f"cycle:P1:{day}T08:00:00Z" if cycle == "cycle" else f"pasteuriser:P1:{day}"
enclosures = [f"enclosure:F{i}:{day}" for i in range(8)]
mark = os.open(Path(folder) / mark_name, os.O_WRONLY | os.O_CREAT)
readings = 0
for s in range(int(warm_up) + int(measured)):
    if s == int(warm_up):
        os.fsync(mark)  # the measured part starts
        readings = 0
    ts = T0 + s * 10**9
    for probe in ("P1-bath", "P1-ref", "P1-b1"):
        reading = Reading(probe, ts, 63.0 + (s % 7) / 10, Quality.OK)
        journal.append_reading(pasteuriser, reading, {"equipment": "P1"})
        readings += 1
    if s % 10 < 8:  # each enclosure once every 10 s, in turn
        i = s % 10
        reading = Reading(f"F{i}-air", ts, 3.1 + (s % 5) / 10, Quality.OK)
        journal.append_reading(enclosures[i], reading, {"equipment": f"F{i}"})
        readings += 1
    if (s + 1) % int(commit_s) == 0:
        journal.flush()
os.fsync(mark)  # the measured part ends
print(readings)
journal.close()
"""


def run(folder: Path, page: int, checkpoint_pages: int, commit_s: int, cycle: bool) -> float:
    """Bytes of 4 KiB blocks written per reading over the measured part."""
    folder.mkdir()
    keygen(folder / "device.key")
    trace = folder / "strace.txt"
    kind = "cycle" if cycle else "idle"
    args = [str(folder), MARK, str(page), str(checkpoint_pages), str(commit_s), kind]
    args += [str(WARM_UP_S), str(MEASURED_S)]
    done = subprocess.run(
        ["strace", "-f", "-y", "-s", "0", "-e", "trace=pwrite64,fdatasync,fsync", "-o",
         str(trace), sys.executable, "-c", WRITER, *args],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    lines = trace.read_text(errors="replace").splitlines()
    marks = [i for i, line in enumerate(lines) if f"<{folder / MARK}>" in line and "fsync(" in line]
    measured = "\n".join(lines[marks[0] + 1 : marks[1]])
    assert verify_journal(folder / "journal.sqlite").ok
    return blocks_written(measured) / int(done.stdout.split()[-1])


def test_steady_state_writes_per_reading(tmp_path: Path) -> None:
    rows = []
    for label, page, checkpoint_pages in (
        ("new journal", PAGE_SIZE, WAL_AUTOCHECKPOINT_PAGES),
        ("SQLite defaults", 4096, 1000),
    ):
        cold = run(tmp_path / f"{page}-idle", page, checkpoint_pages, 10, False)
        cycle = run(tmp_path / f"{page}-cycle", page, checkpoint_pages, 1, True)
        rows.append(
            f"  {label} ({page} B pages, WAL checkpoint at {checkpoint_pages} pages): "
            f"{cold:,.0f} B per reading committed every 10 s (no cycle), "
            f"{cycle:,.0f} B committed every 1 s (a cycle running)"
        )
    print("\njournal steady state, the lab's readings, 4 KiB blocks written:\n" + "\n".join(rows))
