"""The journal file leaving its path: noticed, rescued whole into a copy, written on there.

Each test deletes, moves or replaces the file under an open writer, as ``rm journal.sqlite*``
or a misdirected ``mv`` would, and checks that the copy verifies and holds every record, and
that a file someone put at the path is never touched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from monitor.journal import (
    DEVICE_STREAM,
    Journal,
    JournalError,
    JournalFullError,
    JournalReader,
    verify_journal,
)
from monitor.journal.storage import RESCUED, rescue_target
from tests.monitor.journal.samples import T0
from tests.monitor.journal.small_disk import small_disk
from tests.monitor.journal.test_writer import KEY, STREAM, open_journal, reading

Heads = dict[tuple[str, int], bytes]
SOMEONE_ELSES = b"not a journal, and not the writer's\n"


def remove_journal(path: Path) -> None:
    """``rm journal.sqlite*``."""
    for found in path.parent.glob(path.name + "*"):
        found.unlink()


def records(path: Path) -> Heads:
    with JournalReader(path) as reader:
        return {
            (r.stream, r.seq): r.hash
            for n in reader.stream_names()
            for r in reader.stream_records(n)
        }


def copies(path: Path) -> list[Path]:
    found = sorted(path.parent.glob(path.name + RESCUED + "*"))
    return [p for p in found if not p.name.endswith(("-wal", "-shm"))]


def write_some(journal: Journal, start: int, count: int) -> None:
    for i in range(start, start + count):
        journal.append_reading(STREAM, reading(i))
    journal.flush()


def test_the_file_in_place_has_no_problem(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite") as journal:
        assert journal.file.problem() is None


@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("delete", "deleted"),
        ("delete and replace", "deleted, and another file put at its path"),
        ("move", "moved away from its path"),
        ("move and replace", "moved away, and another file put at its path"),
    ],
)
def test_what_happened_to_the_file_is_named(tmp_path: Path, how: str, problem: str) -> None:
    path = tmp_path / "j.sqlite"
    with open_journal(path) as journal:
        if how.startswith("delete"):
            remove_journal(path)
        else:
            path.rename(tmp_path / "elsewhere.sqlite")
        if how.endswith("replace"):
            path.write_bytes(SOMEONE_ELSES)
        assert journal.file.problem() == problem


def test_a_deleted_journal_is_rescued_whole_and_written_on(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(path)
    write_some(journal, 0, 20)
    with JournalReader(path) as old:  # keeps the deleted file readable
        remove_journal(path)
        write_some(journal, 20, 20)  # committed to the deleted file
        copy = journal.rescue()
        deleted_file = {(r.stream, r.seq): r.hash for r in old.stream_records(STREAM)}
    assert journal.path == copy
    assert journal.file.problem() is None
    write_some(journal, 40, 20)
    journal.close()

    assert copies(path) == [copy]
    assert not path.exists()
    report = verify_journal(copy, KEY.public)
    assert report.ok, report.format()
    kept = records(copy)
    assert all(kept.get(place) == digest for place, digest in deleted_file.items())
    # 60 readings and the closing checkpoint, without a hole
    assert [seq for stream, seq in kept if stream == STREAM] == list(range(1, 62))
    with JournalReader(copy) as reader:
        device = reader.stream_records(DEVICE_STREAM)
    rescued = next(r for r in device if r.kind == "journal_rescued")
    assert rescued.fields == {"problem": "deleted", "from_path": str(path), "to_path": str(copy)}
    assert [r.kind for r in device if r.kind != "checkpoint"][-1] == "journal_closed"


def test_a_file_put_at_the_path_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(path)
    write_some(journal, 0, 5)
    remove_journal(path)
    path.write_bytes(SOMEONE_ELSES)
    copy = journal.rescue()
    write_some(journal, 5, 5)
    journal.close()
    assert path.read_bytes() == SOMEONE_ELSES
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, copy.name])
    assert verify_journal(copy, KEY.public).ok


def test_closing_saves_a_copy_of_a_deleted_journal_not_rescued_yet(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(path)
    write_some(journal, 0, 10)
    remove_journal(path)
    write_some(journal, 10, 10)
    journal.close()
    [copy] = copies(path)
    report = verify_journal(copy, KEY.public)
    assert report.ok, report.format()
    with JournalReader(copy) as reader:
        assert reader.session().clean  # the copy was taken after the clean close
        assert len(reader.stream_records(STREAM)) == 21  # and the stream's signature


def test_a_copy_that_cannot_be_made_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "j.sqlite"
    journal = open_journal(path)
    write_some(journal, 0, 5)
    shutil.rmtree(folder)  # the journal's folder goes, with the file
    assert journal.file.problem() == "deleted"
    with pytest.raises(JournalError, match="cannot measure the free space"):
        journal.rescue()
    assert journal.path == path
    write_some(journal, 5, 5)  # the writer goes on in the open file
    folder.mkdir()
    copy = journal.rescue()
    journal.close()
    assert [seq for stream, seq in records(copy) if stream == STREAM] == list(range(1, 12))


def test_a_copy_that_cannot_fit_is_not_tried(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4) as disk:
        path = disk.root / "j.sqlite"
        journal = open_journal(path)
        write_some(journal, 0, 50)
        remove_journal(path)
        disk.fill()
        with pytest.raises(JournalFullError, match="it needs"):
            journal.rescue()
        assert sorted(p.name for p in disk.root.iterdir()) == ["ballast"]
        disk.free()
        copy = journal.rescue()
        journal.close()
        assert verify_journal(copy, KEY.public).ok


def test_a_rescued_copy_never_takes_an_existing_name(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    first = rescue_target(path, T0)
    assert first.name == "j.sqlite.rescued-20261126T080000Z"
    Path(f"{first}-wal").write_bytes(b"")  # even SQLite's file beside it keeps the name taken
    second = rescue_target(path, T0)
    assert second.name == "j.sqlite.rescued-20261126T080000Z-2"


def test_the_room_left_is_the_smaller_of_the_disk_and_the_size_limit(tmp_path: Path) -> None:
    limit = 256 * 4096
    with open_journal(tmp_path / "j.sqlite", max_bytes=limit) as journal:
        before = journal.file.space()
        write_some(journal, 0, 2000)
        after = journal.file.space()
    assert after.used_bytes > before.used_bytes
    assert after.room_bytes == limit - after.used_bytes
    # The disk is shared with whatever else runs: its free space moves between two looks.
    with open_journal(tmp_path / "k.sqlite") as unlimited:
        free_before = free_bytes(tmp_path)
        room = unlimited.file.space().room_bytes
        free_after = free_bytes(tmp_path)
    low, high = sorted((free_before, free_after))
    assert low - DISK_DRIFT <= room <= high + DISK_DRIFT


DISK_DRIFT = 64 * 1024 * 1024  # what other processes may write or free meanwhile


def free_bytes(folder: Path) -> int:
    found = os.statvfs(folder)
    return found.f_bavail * found.f_frsize
