import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from monitor.journal import (
    ForeignDatabaseError,
    Journal,
    JournalCorruptError,
    JournalError,
    JournalNotFoundError,
    JournalReader,
    JournalReadOnlyError,
    JournalVersionError,
    verify_journal,
)
from monitor.journal.schema import APPLICATION_ID
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import T0, StepClock, device_key

KEY = device_key()
ROOT = Path(__file__).resolve().parents[3]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def small_journal(path: Path) -> None:
    with Journal(path, KEY, StepClock()) as journal:
        for i in range(50):
            journal.append_reading("device", Reading("P", T0 + i, 1.0 + i, Quality.OK))


def test_a_new_journal_is_marked_as_a_lactamon_journal(tmp_path: Path) -> None:
    small_journal(tmp_path / "j.sqlite")
    with sqlite3.connect(tmp_path / "j.sqlite") as db:
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_empty_file_becomes_a_journal(tmp_path: Path) -> None:
    (tmp_path / "j.sqlite").write_bytes(b"")
    small_journal(tmp_path / "j.sqlite")
    assert verify_journal(tmp_path / "j.sqlite", KEY.public).ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE records SET ts = 0",
        "DELETE FROM records",
        "UPDATE streams SET name = 'x'",
        "DELETE FROM symbols",
    ],
)
def test_records_cannot_be_updated_or_deleted(tmp_path: Path, statement: str) -> None:
    small_journal(tmp_path / "j.sqlite")
    with (
        sqlite3.connect(tmp_path / "j.sqlite") as db,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        db.execute(statement)


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    before = digest(path)
    with pytest.raises(ForeignDatabaseError, match="not a lactamon journal"):
        Journal(path, KEY)
    with pytest.raises(ForeignDatabaseError):
        JournalReader(path)
    assert digest(path) == before


def test_another_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 1234")
    with pytest.raises(ForeignDatabaseError, match="0x000004d2"):
        Journal(path, KEY)


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"lactamon? no: " + bytes(range(256)) * 40)
    before = digest(path)
    with pytest.raises(JournalCorruptError, match="not an SQLite database or damaged"):
        Journal(path, KEY)
    with pytest.raises(JournalCorruptError):
        JournalReader(path)
    assert digest(path) == before


def test_a_damaged_journal_is_reported_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    small_journal(path)
    with sqlite3.connect(path) as db:
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'records'").fetchone()
        (page,) = db.execute("PRAGMA page_size").fetchone()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page : root * page] = b"\xff" * page
    path.write_bytes(bytes(data))
    with pytest.raises(JournalCorruptError):
        verify_journal(path, KEY.public)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    small_journal(path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 2")
    with pytest.raises(JournalVersionError, match="upgrade lactamon"):
        Journal(path, KEY)


def test_a_read_only_file_is_refused_to_the_writer_but_not_to_readers(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    small_journal(path)
    path.chmod(0o444)
    before = digest(path)
    with pytest.raises(JournalReadOnlyError, match="read-only"):
        Journal(path, KEY)
    assert verify_journal(path, KEY.public).ok
    assert digest(path) == before


def test_a_read_only_directory_is_refused_to_the_writer(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    with pytest.raises(JournalReadOnlyError, match="directory"):
        Journal(directory / "j.sqlite", KEY)
    assert not (directory / "j.sqlite").exists()


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="does not exist"):
        Journal(tmp_path / "nowhere" / "j.sqlite", KEY)


def test_readers_need_an_existing_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalNotFoundError):
        JournalReader(tmp_path / "j.sqlite")
    assert not (tmp_path / "j.sqlite").exists()


# Root writes anywhere, so a child run by root becomes ``nobody`` to read; it imports the
# journal code first, because the checkout may sit in a directory (a 0700 home) that
# ``nobody`` cannot enter, and only the read itself must do without write access.
READ = """
import os
import sys
from pathlib import Path
from monitor.journal import JournalReader
journal = Path(sys.argv[1])
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
try:
    (journal.parent / "probe").touch()
except PermissionError:
    pass
else:
    sys.exit("the reader can write the journal's directory: the test proves nothing")
with JournalReader(journal) as reader:
    print(len(reader.stream_records("device")))
"""


def test_a_journal_in_a_directory_the_reader_cannot_write_can_be_read() -> None:
    # Outside pytest's private temporary directory, which another user cannot enter.
    directory = Path(tempfile.mkdtemp(prefix="lactamon-ro-"))
    small_journal(directory / "j.sqlite")
    (directory / "j.sqlite").chmod(0o444)
    directory.chmod(0o555)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", READ, str(directory / "j.sqlite")]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/", check=False)
    directory.chmod(0o755)
    shutil.rmtree(directory)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50
