"""The committer's alarms: ``journal:disk`` while commits fail, ``journal:space`` before that.

A real writer and alarm desk; the committer's clock for rates is driven by the test, so an
hour of growth takes no time. The journal's size limit stands for a small disk where it
never empties again, a tmpfs filled with a ballast file (root only) where it does.
"""

from __future__ import annotations

import time
from pathlib import Path

from config.service import JournalSettings
from monitor.alarms import AlarmManager, AlarmPolicy, Priority
from monitor.journal import Journal
from monitor.journal.buffer import BufferState
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.disk_space import DISK_KEY, SPACE_KEY, JournalCommitter, disk_message
from tests.monitor.journal.samples import T0, StepClock
from tests.monitor.journal.small_disk import small_disk
from tests.monitor.journal.test_writer import STREAM, open_journal, reading


class Timeline:
    """The committer's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def committer_for(
    journal: Journal, clock: StepClock, timeline: Timeline, **settings: object
) -> JournalCommitter:
    desk = AlarmDesk(AlarmManager(AlarmPolicy()), journal, lambda note: None)
    journal_settings = JournalSettings.model_validate({"path": journal.path, **settings})
    return JournalCommitter(journal, desk, clock, journal_settings, monotonic=timeline)


def write(journal: Journal, start: int, count: int) -> int:
    for i in range(start, start + count):
        journal.append_reading(STREAM, reading(i, 3.5 + (i % 100) / 100))
    return start + count


def test_room_for_fewer_days_than_the_setting_is_a_medium_warning(tmp_path: Path) -> None:
    clock, timeline = StepClock(), Timeline()
    # Each step commits what waits: the journal grows at the rate of the appends.
    journal = open_journal(tmp_path / "j.sqlite", clock, max_bytes=2**22, commit_interval_s=0.01)
    committer = committer_for(journal, clock, timeline, warn_days_left=7)
    i = 0
    for minute in range(5):  # a few hundred bytes a second: 4 MiB last well under a day
        i = write(journal, i, 100)
        timeline.now = minute * 60.0
        committer.step()
    alarm = committer.desk.get(SPACE_KEY)
    assert alarm.condition_active
    assert alarm.priority is Priority.MEDIUM
    assert "left for the journal" in alarm.message
    assert "fewer than 7" in alarm.message
    timeline.now += 2 * 3600  # then an idle journal: over the last hour it grew by nothing
    committer.step()
    assert not committer.desk.is_active(SPACE_KEY)
    journal.close()


def test_plenty_of_room_is_no_warning_and_a_short_history_no_estimate(tmp_path: Path) -> None:
    clock, timeline = StepClock(), Timeline()
    journal = open_journal(tmp_path / "j.sqlite", clock, max_bytes=2**22)
    committer = committer_for(journal, clock, timeline, warn_days_left=0.001)
    i = write(journal, 0, 100)
    committer.step()
    timeline.now = 30.0  # under a minute of history: no rate yet, so no alarm either way
    write(journal, i, 5000)
    committer.step()
    assert committer.growth.per_s() is None
    timeline.now = 120.0
    committer.step()
    assert committer.growth.per_s() is not None
    assert not committer.desk.is_active(SPACE_KEY)
    journal.close()


def test_a_full_disk_is_a_high_alarm_that_says_how_long_the_buffer_lasts(tmp_path: Path) -> None:
    clock, timeline = StepClock(), Timeline()
    options = {"max_bytes": 64 * 4096, "commit_interval_s": 0.01, "buffer_bytes": 2**20}
    journal = open_journal(tmp_path / "j.sqlite", clock, **options)
    committer = committer_for(journal, clock, timeline)
    i = 0
    while not committer.desk.is_active(DISK_KEY):
        assert i < 20_000, "the journal never filled up"
        i = write(journal, i, 50)
        timeline.now += 1.0
        time.sleep(0.011)  # past the commit interval and the first retry, in real time
        committer.step()
    alarm = committer.desk.get(DISK_KEY)
    assert alarm.priority is Priority.HIGH
    assert "cannot be written" in alarm.message
    assert "of 1.0 MiB" in alarm.message
    assert "holds readings for about" in alarm.message
    for _ in range(20):  # the committer goes on, whatever the journal says
        i = write(journal, i, 50)
        committer.step()
    assert committer.desk.is_active(DISK_KEY)


def test_the_disk_alarm_clears_once_a_commit_goes_through(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4) as disk:
        clock, timeline = StepClock(), Timeline()
        journal = open_journal(disk.root / "j.sqlite", clock, commit_interval_s=0.01)
        committer = committer_for(journal, clock, timeline)
        disk.fill()
        i = write(journal, 0, 200)
        committer.step()
        assert committer.desk.is_active(DISK_KEY)
        disk.free()
        deadline = time.monotonic() + 15
        while committer.desk.is_active(DISK_KEY):
            assert time.monotonic() < deadline
            i = write(journal, i, 1)
            time.sleep(0.05)
            committer.step()
        assert journal.buffer_state().failing_since is None
        journal.close()


def test_an_overflowing_buffer_says_since_when_records_are_lost() -> None:
    state = BufferState(
        pending_records=3000,
        pending_bytes=1_000_000,
        limit_bytes=2**20,
        readings_limit_bytes=786_432,
        appended_bytes=1_000_000,
        lost_records=420,
        lost_since_ns=T0,
        failing_since=1.0,
        last_error="/data/journal.sqlite: commit 3000 records: the disk is full",
    )
    message = disk_message(state, 1500.0)
    assert "the disk is full" in message
    assert "976.6 KiB of 1.0 MiB" in message
    assert "420 records lost since 2026-11-26 08:00:00 UTC" in message
    lasting = disk_message(
        BufferState(10, 200_000, 2**20, 786_432, 200_000, 0, None, 1.0, "full"), 1000.0
    )
    assert "holds readings for about 10 min more" in lasting
