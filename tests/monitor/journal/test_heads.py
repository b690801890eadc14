import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.journal import (
    DEVICE_STREAM,
    Journal,
    JournalOptions,
    JournalReader,
    StreamSealedError,
    verify_journal,
)
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import T0, StepClock, device_key

KEY = device_key()
STREAM = "enclosure:F1:2026-11-26"
ROOT = Path(__file__).resolve().parents[3]
ON_STREAM = "stream = (SELECT id FROM streams WHERE name = ?)"

# Readings 1-3, a checkpoint at 4, readings 5-6 committed, then the process dies.
CRASHING_WRITER = f"""
import os, sys
from pathlib import Path
from monitor.journal import Journal, JournalOptions
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import device_key

options = JournalOptions(checkpoint_every_records=3)
journal = Journal(Path(sys.argv[1]), device_key(), options=options)
for i in range(5):
    journal.append_reading({STREAM!r}, Reading("F1-air", {T0} + i, 3.0, Quality.OK))
journal.flush()
os._exit(0)
"""


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("heads") / "j.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(path)], env=env, cwd=ROOT, check=True
    )
    return path


def copy_of(crashed: Path, directory: Path) -> Path:
    """The crashed journal and its WAL, where the last commits still are."""
    for suffix in ("", "-wal"):
        shutil.copy(f"{crashed}{suffix}", directory / f"j.sqlite{suffix}")
    return directory / "j.sqlite"


def attack(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute(sql, (STREAM,))


def append(path: Path) -> tuple[int, dict[str, str]]:
    with Journal(path, KEY, StepClock()) as journal:
        seq = journal.append_reading(STREAM, Reading("F1-air", T0, 1.0, Quality.OK)).seq
        return seq, journal.damaged_streams


def test_a_stream_left_by_a_crash_continues_its_chain(crashed: Path, tmp_path: Path) -> None:
    copy = copy_of(crashed, tmp_path)
    assert append(copy) == (7, {})


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (f"UPDATE records SET value = 9.0 WHERE seq = 6 AND {ON_STREAM}", "does not match"),
        (f"DELETE FROM records WHERE seq = 5 AND {ON_STREAM}", "#5..5 are missing"),
        (
            f'UPDATE records SET extra = replace(extra, \'"signature":"\', \'"signature":"A\') '
            f"WHERE seq = 4 AND {ON_STREAM}",
            "signature does not verify",
        ),
        (f"UPDATE records SET kind = 1 WHERE seq = 4 AND {ON_STREAM}", "#4 does not match"),
        (
            f"UPDATE records SET extra = 'x' WHERE seq = 6 AND {ON_STREAM}",
            "#6 (row 7) its extra fields cannot be read",
        ),
    ],
)
def test_damage_in_the_unsigned_tail_is_recorded_and_writing_goes_on(
    crashed: Path, tmp_path: Path, sql: str, message: str
) -> None:
    copy = copy_of(crashed, tmp_path)
    attack(copy, sql)
    seq, damaged = append(copy)
    assert seq == 8  # #7 is the stream's own stream_damaged record, chained before anything
    assert message in damaged[STREAM]
    with JournalReader(copy) as reader:
        events = [r for r in reader.stream_records(DEVICE_STREAM) if r.kind == "stream_damaged"]
    assert [(e.fields["stream"], e.fields["problem"]) for e in events] == [
        (STREAM, damaged[STREAM])
    ]
    assert not verify_journal(copy, KEY.public).ok  # signing after the damage hides nothing


def test_a_stream_sealed_in_the_file_stays_sealed(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite", KEY, StepClock(), JournalOptions()) as journal:
        journal.append_reading(STREAM, Reading("F1-air", T0, 3.0, Quality.OK))
        journal.seal(STREAM)
    with pytest.raises(StreamSealedError):
        append(tmp_path / "j.sqlite")
