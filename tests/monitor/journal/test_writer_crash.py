"""kill -9 of a writer in mid-stream: what survives, and how the next session says so."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from monitor.journal import (
    DEVICE_STREAM,
    FindingKind,
    Journal,
    JournalReader,
    verify_journal,
)
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import device_key

ROOT = Path(__file__).resolve().parents[3]
STREAM = "enclosure:F1:2026-11-26"
CYCLE = "cycle:P1:2026-11-26T08:00:00Z"
COMMIT_INTERVAL_S = 0.2
COLD_COMMIT_INTERVAL_S = 1.0
# Scheduling slack on a loaded machine: a commit takes a few milliseconds and the writer
# reports its progress every 200 appends.
SLACK_S = 0.25

WRITER = f"""
import sys, time
from pathlib import Path
from monitor.journal import Journal, JournalOptions
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import device_key

options = JournalOptions(
    commit_interval_s={COMMIT_INTERVAL_S},
    cold_commit_interval_s={COLD_COMMIT_INTERVAL_S},
    checkpoint_every_records=500,
)
journal = Journal(Path(sys.argv[1]), device_key(), options=options)
streams = sys.argv[2:]
print("ready", flush=True)
i = 0
while True:
    ts = time.time_ns()
    stream = streams[i % len(streams)]
    journal.append_reading(stream, Reading("F1-air", ts, 3.5 + (i % 97) / 100, Quality.OK))
    i += 1
    if i % 200 == 0:
        print(ts, flush=True)
        time.sleep(0.001)
"""


def killed_writer(path: Path, streams: list[str], run_s: float) -> int:
    """A writer appending readings to ``streams`` in turn, killed after ``run_s``: when it
    appended last (to within 200 appends)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), *streams],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(run_s)
    child.send_signal(signal.SIGKILL)
    output, _ = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    return int(output.split()[-1])


def test_a_killed_writer_loses_at_most_one_commit_interval_of_a_cycle(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    last_appended = killed_writer(path, [STREAM, CYCLE], 1.0)
    with JournalReader(path) as reader:
        for stream in (CYCLE, STREAM):  # the cold records go with the urgent ones
            committed = reader.stream_records(stream)
            assert len(committed) > 500
            lost_s = (last_appended - committed[-1].ts) / 1e9
            assert lost_s <= COMMIT_INTERVAL_S + SLACK_S, f"{stream}: lost {lost_s:.3f} s"
    report = verify_journal(path, device_key().public)
    assert report.ok, report.format()


def test_a_killed_writer_loses_at_most_one_cold_commit_interval(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    last_appended = killed_writer(path, [STREAM], 2.5)

    with JournalReader(path) as reader:
        committed = reader.stream_records(STREAM)
    last_committed = committed[-1].ts
    assert len(committed) > 1000
    lost_s = (last_appended - last_committed) / 1e9
    assert lost_s <= COLD_COMMIT_INTERVAL_S + SLACK_S, f"lost {lost_s:.3f} s of records"

    report = verify_journal(path, device_key().public)
    assert report.ok, report.format()
    assert {f.kind for f in report.findings} <= {FindingKind.UNSIGNED_TAIL}

    with Journal(path, device_key()) as journal:
        assert journal.previous_session_clean is False
        assert journal.previous.last_record_ts == last_committed
        journal.append_reading(STREAM, Reading("F1-air", time.time_ns(), 3.9, Quality.OK))
    with JournalReader(path) as reader:
        device = reader.stream_records(DEVICE_STREAM)
    gap = next(r for r in device if r.kind == "journal_reopened")
    assert gap.fields["previous_session"] == "unclean"
    assert gap.fields["last_record_ts"] == last_committed
    assert gap.fields["last_record"] == f"{STREAM}#{committed[-1].seq}"
    after = verify_journal(path, device_key().public)
    assert after.ok, after.format()
    assert not after.findings, after.format()
