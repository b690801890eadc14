"""The integrity watch: a journal gone from its path is rescued first, then alarmed HIGH.

A real writer and alarm desk, the file deleted under them: one check saves the copy, raises
``journal:integrity`` with the copy's path in its text, notifies, and records the alarm in
the copy. A copy that cannot be made is alarmed too and tried again at the next check; an
alarm restored from the record is cleared once a start finds the file in place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from monitor.alarms import AlarmManager, AlarmPolicy, Notification, Priority
from monitor.journal import Journal, JournalReader, verify_journal
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.journal_watch import INTEGRITY_KEY, JournalWatch
from tests.monitor.journal.samples import StepClock
from tests.monitor.journal.test_storage import remove_journal
from tests.monitor.journal.test_writer import KEY, STREAM, open_journal, reading


def watched(journal: Journal, clock: StepClock) -> tuple[JournalWatch, list[Notification]]:
    notes: list[Notification] = []
    desk = AlarmDesk(AlarmManager(AlarmPolicy()), journal, notes.append)
    return JournalWatch(journal, desk, clock), notes


def test_nothing_is_done_while_the_file_is_in_place(tmp_path: Path) -> None:
    clock = StepClock()
    with open_journal(tmp_path / "j.sqlite", clock) as journal:
        watch, notes = watched(journal, clock)
        watch.check()
        assert not watch.desk.is_active(INTEGRITY_KEY)
        assert notes == []


def test_a_deleted_journal_is_saved_then_alarmed_and_the_alarm_is_in_the_copy(
    tmp_path: Path,
) -> None:
    clock = StepClock()
    path = tmp_path / "j.sqlite"
    journal = open_journal(path, clock)
    watch, notes = watched(journal, clock)
    journal.append_reading(STREAM, reading(0))
    remove_journal(path)
    watch.check()
    copy = journal.path
    assert copy != path
    alarm = watch.desk.get(INTEGRITY_KEY)
    assert alarm.condition_active
    assert alarm.priority is Priority.HIGH
    assert f"saved in {copy}" in alarm.message
    assert f"back at {path}" in alarm.message
    assert [n.alarms for n in notes] == [(INTEGRITY_KEY,)]
    watch.check()  # the copy is in place: no second copy, the alarm stays
    assert journal.path == copy
    assert watch.desk.is_active(INTEGRITY_KEY)
    journal.close()
    assert verify_journal(copy, KEY.public).ok
    with JournalReader(copy) as reader:
        raised = [r for r in reader.stream_records("alarms") if r.kind == "alarm_raised"]
        assert [r.fields["alarm"] for r in raised] == [INTEGRITY_KEY]
        assert len(reader.stream_records(STREAM)) == 2  # the reading, and its checkpoint


def test_a_copy_that_cannot_be_made_is_alarmed_and_tried_again(tmp_path: Path) -> None:
    clock = StepClock()
    folder = tmp_path / "data"
    folder.mkdir()
    journal = open_journal(folder / "j.sqlite", clock)
    watch, _ = watched(journal, clock)
    shutil.rmtree(folder)
    watch.check()
    alarm = watch.desk.get(INTEGRITY_KEY)
    assert alarm.condition_active
    assert "saving what it holds failed" in alarm.message
    folder.mkdir()
    watch.check()
    assert journal.path.parent == folder
    assert journal.path.name.startswith("j.sqlite.rescued-")
    assert f"saved in {journal.path}" in watch.desk.get(INTEGRITY_KEY).message
    journal.close()


def test_a_restored_alarm_is_cleared_once_the_journal_is_in_place(tmp_path: Path) -> None:
    clock = StepClock()
    path = tmp_path / "j.sqlite"
    with open_journal(path, clock) as journal:
        remove_journal(path)
        watch, _ = watched(journal, clock)
        watch.check()
        copy = journal.path
    copy.rename(path)  # what a person does, as the alarm says, before starting again
    with open_journal(path, clock) as journal, JournalReader(path) as reader:
        watch, _ = watched(journal, clock)
        watch.desk.resume(reader)
        watch = JournalWatch(journal, watch.desk, clock)
        assert watch.alarmed
        watch.check()
        assert not watch.desk.is_active(INTEGRITY_KEY)
