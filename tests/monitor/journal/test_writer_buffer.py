"""A full disk under the writer: appends go on, the record waits in memory and catches up.

The disk is a small tmpfs filled with a ballast file (``small_disk``, root only), or the
journal's own size limit where the disk never empties again. Appends never raise for a full
disk; what fits in the buffer reaches the file in order once there is room; what does not
fit is never chained, so no chain gets a hole, and a ``records_lost`` event names it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from monitor.journal import DEVICE_STREAM, Journal, JournalFullError, JournalReader, verify_journal
from monitor.journal.buffer import MAX_NAMED_STREAMS, PendingBuffer
from tests.monitor.journal.small_disk import small_disk
from tests.monitor.journal.test_writer import KEY, STREAM, open_journal, reading

DOOR = "enclosure:F2:2026-11-26"


def until_committed(journal: Journal, timeout_s: float = 15.0) -> None:
    """The retries, until one goes through (the delay grows up to ``RETRY_MAX_S``)."""
    deadline = time.monotonic() + timeout_s
    while not journal.commit_when_due():
        assert time.monotonic() < deadline, journal.buffer_state()
        time.sleep(0.01)


def seqs(path: Path, stream: str = STREAM) -> list[int]:
    with JournalReader(path) as reader:
        return [r.seq for r in reader.stream_records(stream)]


def device_records(path: Path, kind: str) -> list[dict[str, object]]:
    with JournalReader(path) as reader:
        return [dict(r.fields) for r in reader.stream_records(DEVICE_STREAM) if r.kind == kind]


def test_records_wait_while_the_disk_is_full_and_reach_it_in_order(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4) as disk:
        path = disk.root / "j.sqlite"
        journal = open_journal(path, commit_interval_s=0.01)
        for i in range(5):
            journal.append_reading(STREAM, reading(i))
        journal.flush()
        disk.fill()
        for i in range(5, 105):
            assert journal.append_reading(STREAM, reading(i)).seq == i + 1
        with pytest.raises(JournalFullError):
            journal.flush()
        state = journal.buffer_state()
        assert state.pending_records == 100
        assert state.failing_since is not None
        assert "full" in str(state.last_error)
        assert state.lost_records == 0
        assert not journal.commit_when_due()  # no raise: the committer goes on
        disk.free()
        until_committed(journal)
        assert journal.buffer_state().failing_since is None
        journal.close()
        assert seqs(path) == list(range(1, 107))  # and the closing checkpoint
        report = verify_journal(path, KEY.public)
        assert report.ok, report.format()
        assert device_records(path, "records_lost") == []


def test_what_does_not_fit_is_never_chained_and_is_named_by_records_lost(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4) as disk:
        path = disk.root / "j.sqlite"
        journal = open_journal(path, commit_interval_s=0.01, buffer_bytes=40_000)
        journal.append_reading(STREAM, reading(0))
        journal.flush()
        disk.fill()
        results = [journal.append_reading(STREAM, reading(i)) for i in range(1, 301)]
        kept = [r for r in results if r.seq]
        lost = [r for r in results if not r.seq]
        assert kept == results[: len(kept)]  # readings fill three quarters, then are lost
        assert lost
        door = journal.append_event(DOOR, "door_opened", {"door": "front"})
        assert door.seq == 1  # events have the last quarter
        events = [journal.append_event(DOOR, "door_closed", {"n": n}) for n in range(100)]
        lost_events = [r for r in events if not r.seq]
        assert lost_events  # and beyond the whole buffer, events are lost too
        state = journal.buffer_state()
        assert state.lost_records == len(lost) + len(lost_events)
        assert state.pending_bytes <= state.limit_bytes + 1000  # one row past the bound at most
        disk.free()
        until_committed(journal)
        journal.close()
        report = verify_journal(path, KEY.public)
        assert report.ok, report.format()
        assert seqs(path) == list(range(1, len(kept) + 3))  # no hole; closing checkpoint
        [gap] = device_records(path, "records_lost")
    assert gap["records"] == len(lost) + len(lost_events)
    assert gap["readings"] == len(lost)
    assert gap["events"] == len(lost_events)
    assert gap["streams"] == f"{STREAM},{DOOR}"
    stamps = [r.ts for r in lost + lost_events]
    assert (gap["first_ts"], gap["last_ts"]) == (min(stamps), max(stamps))


def test_delivery_marks_wait_for_the_disk_too(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4) as disk:
        path = disk.root / "j.sqlite"
        journal = open_journal(path, commit_interval_s=0.01)
        journal.outbox.mark_sent("influxdb", 1)
        disk.fill()
        for i in range(200):  # the WAL must grow for the disk to be felt
            journal.append_reading(STREAM, reading(i))
        journal.commit_when_due()
        journal.outbox.mark_sent("influxdb", 2)
        assert journal.outbox.sent_up_to("influxdb") == 2
        disk.free()
        until_committed(journal)
        with JournalReader(path) as reader:
            assert reader.sent_up_to("influxdb") == 2
        journal.close()


def test_a_close_retried_after_a_full_disk_records_one_close(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4) as disk:
        path = disk.root / "j.sqlite"
        journal = open_journal(path)
        for i in range(200):
            journal.append_reading(STREAM, reading(i))
        disk.fill()
        with pytest.raises(JournalFullError):
            journal.finish()
        disk.free()
        journal.finish()
        journal.close()
        assert len(device_records(path, "journal_closed")) == 1
        assert verify_journal(path, KEY.public).ok


def test_a_failed_commit_waits_for_its_retry_while_appends_go_on(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(path, max_bytes=64 * 4096, commit_interval_s=0.05, buffer_bytes=2**16)
    i = 0
    while journal.buffer_state().failing_since is None:
        i += 1
        journal.append_reading(STREAM, reading(i, 3.5 + i / 1000))
        journal.commit_when_due()
    first = journal.last_error
    assert first is not None
    assert not journal.commit_when_due()
    assert journal.last_error is first  # not tried again before the delay
    time.sleep(0.06)
    journal.commit_when_due()
    assert journal.last_error is not first  # tried again, and failed again
    for j in range(i + 1, i + 5000):  # far beyond the buffer: never raises
        journal.append_reading(STREAM, reading(j))
    assert journal.buffer_state().lost_records > 0
    assert verify_journal(path, KEY.public).ok  # what was committed is intact
    with pytest.raises(JournalFullError):
        journal.close()


def test_a_records_lost_event_names_a_bounded_number_of_streams() -> None:
    buffer = PendingBuffer(1000, 1.0)
    for n in range(MAX_NAMED_STREAMS + 20):
        buffer.lose(f"probe:X{n:03d}:2026-11-26", 1000 + n, "reading", {})
    fields = buffer.take_losses()
    assert fields is not None
    assert len(str(fields["streams"]).split(",")) == MAX_NAMED_STREAMS
    assert fields["streams_not_named"] == 20
    assert (fields["first_ts"], fields["last_ts"]) == (1000, 1000 + MAX_NAMED_STREAMS + 19)
    assert buffer.take_losses() is None  # owed once
