import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from monitor.journal import (
    DEVICE_STREAM,
    Journal,
    JournalBusyError,
    JournalClosedError,
    JournalFullError,
    JournalOptions,
    JournalReader,
    RecordError,
    StreamSealedError,
    verify_journal,
)
from monitor.journal.canonical import chain_hash, genesis_hash, record_canonical
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import T0, StepClock, device_key

KEY = device_key()
STREAM = "enclosure:F1:2026-11-26"


def reading(i: int, value: float = 3.5) -> Reading:
    return Reading("F1-air", T0 + i * 1_000_000_000, value, Quality.OK)


def open_journal(path: Path, clock: StepClock | None = None, **options: Any) -> Journal:
    """A journal of ``options``; a commit interval given alone bounds every record, as the
    cold one does the stream these tests write (an enclosure-day)."""
    if "commit_interval_s" in options:
        options.setdefault("cold_commit_interval_s", options["commit_interval_s"])
    return Journal(path, KEY, clock or StepClock(), JournalOptions(**options))


def committed(path: Path, stream: str = STREAM) -> list[int]:
    with JournalReader(path) as reader:
        return [r.seq for r in reader.stream_records(stream)]


def test_records_chain_from_the_genesis_of_their_stream(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite") as journal:
        first = journal.append_reading(STREAM, reading(0))
        second = journal.append_event(STREAM, "door_opened", {"door": "front", "note": None})
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == genesis_hash(STREAM)
    assert first.hash == chain_hash(genesis_hash(STREAM), record_canonical(first))
    assert second.prev_hash == first.hash
    assert second.fields == {"door": "front"}  # None means absent
    with JournalReader(tmp_path / "j.sqlite") as reader:
        stored = reader.stream_records(STREAM)
    assert [(r.hash, r.fields) for r in stored[:2]] == [
        (first.hash, first.fields),
        (second.hash, second.fields),
    ]


def test_appends_wait_in_the_batch_until_a_flush(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(path, commit_interval_s=60)
    journal.append_reading(STREAM, reading(0))
    assert journal.pending == 1
    assert committed(path) == []
    assert journal.flush() == 1
    assert journal.pending == 0
    assert committed(path) == [1]
    journal.close()


def test_a_full_batch_commits_by_itself(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with open_journal(path, commit_interval_s=60, commit_every_records=3) as journal:
        for i in range(3):
            journal.append_reading(STREAM, reading(i))
        assert committed(path) == [1, 2, 3]


def test_the_commit_interval_commits_at_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with open_journal(path, commit_interval_s=0.05) as journal:
        journal.append_reading(STREAM, reading(0))
        time.sleep(0.06)
        journal.append_reading(STREAM, reading(1))
        assert committed(path) == [1, 2]


def test_a_checkpoint_signs_every_n_records(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite", checkpoint_every_records=3) as journal:
        records = [journal.append_reading(STREAM, reading(i)) for i in range(7)]
    with JournalReader(tmp_path / "j.sqlite") as reader:
        kinds = [r.kind for r in reader.stream_records(STREAM)]
    assert kinds == (["reading"] * 3 + ["checkpoint"]) * 2 + ["reading", "checkpoint"]
    assert [r.seq for r in records] == [1, 2, 3, 5, 6, 7, 9]


def test_a_checkpoint_signs_a_stream_whose_records_are_old_enough(tmp_path: Path) -> None:
    clock = StepClock()
    with open_journal(tmp_path / "j.sqlite", clock, checkpoint_every_s=60) as journal:
        journal.append_reading(STREAM, reading(0))
        journal.flush()
        assert journal.head(STREAM)[0] == 1
        clock.mono += 61
        journal.flush()
        assert journal.head(STREAM)[0] == 2
        assert journal.checkpoint(STREAM) is None  # nothing new to sign


def test_a_sealed_stream_takes_nothing_more(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite") as journal:
        journal.append_reading(STREAM, reading(0))
        seal = journal.seal(STREAM, "day over")
        assert seal.fields["reason"] == "day over"
        assert journal.is_sealed(STREAM)
        with pytest.raises(StreamSealedError, match="sealed"):
            journal.append_reading(STREAM, reading(1))
        with pytest.raises(StreamSealedError, match="already sealed"):
            journal.seal(STREAM)
    with open_journal(tmp_path / "j.sqlite") as journal, pytest.raises(StreamSealedError):
        journal.append_reading(STREAM, reading(2))


def test_the_journal_writes_its_own_kinds_alone(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite") as journal:
        for kind in ("checkpoint", "seal", "journal_closed"):
            with pytest.raises(RecordError, match="written by the journal itself"):
                journal.append_event(STREAM, kind, {})
        with pytest.raises(RecordError, match="stream id"):
            journal.append_event("has space", "note", {})
        with pytest.raises(RecordError, match="not a finite number"):
            journal.append_event(STREAM, "note", {"x": float("inf")})


def test_a_closed_journal_refuses_appends(tmp_path: Path) -> None:
    journal = open_journal(tmp_path / "j.sqlite")
    journal.close()
    journal.close()
    with pytest.raises(JournalClosedError):
        journal.append_reading(STREAM, reading(0))


def test_a_finished_journal_refuses_appends_but_still_marks_deliveries(tmp_path: Path) -> None:
    journal = open_journal(tmp_path / "j.sqlite")
    journal.append_reading(STREAM, reading(0))
    journal.finish()
    journal.finish()
    with pytest.raises(JournalClosedError):
        journal.append_reading(STREAM, reading(1))
    journal.outbox.mark_sent("influxdb", 3)
    journal.close()
    with JournalReader(tmp_path / "j.sqlite") as reader:
        kinds = [r.kind for r in reader.stream_records("device")]
        assert kinds.count("journal_closed") == 1
        assert reader.sent_up_to("influxdb") == 3


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite"), pytest.raises(JournalBusyError):
        open_journal(tmp_path / "j.sqlite")


def test_sessions_say_how_the_last_one_ended(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with open_journal(path) as journal:
        assert journal.previous_session_clean is None
        journal.append_reading(STREAM, reading(0))
    with open_journal(path) as journal:
        assert journal.previous_session_clean is True
        assert journal.previous.last_record == f"{STREAM}#2"  # close signs each stream
    with JournalReader(path) as reader:
        kinds = [r.kind for r in reader.stream_records(DEVICE_STREAM)]
    assert kinds[:3] == ["journal_opened", "journal_closed", "checkpoint"]


def test_the_outbox_remembers_how_far_each_sink_got(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite") as journal:
        assert journal.outbox.sent_up_to("influx") == 0
        journal.outbox.mark_sent("influx", 12)
        journal.outbox.mark_sent("influx", 40)
        assert journal.outbox.sent_up_to("influx") == 40
    with JournalReader(tmp_path / "j.sqlite") as reader:
        assert reader.sent_up_to("influx") == 40
        rows = reader.records_after(0, limit=2)
    assert [row_id for row_id, _ in rows] == [1, 2]


def fill_until_refused(journal: Journal, flush_every: int | None) -> JournalFullError:
    for i in range(1, 20_000):
        try:
            journal.append_reading(STREAM, reading(i, 3.5 + i / 1000))
            if flush_every and i % flush_every == 0:
                journal.flush()
        except JournalFullError as exc:
            return exc
    raise AssertionError("the journal never filled up")


def test_a_full_disk_keeps_the_batch_and_damages_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(path, max_bytes=64 * 4096, commit_interval_s=60)
    journal.append_reading(STREAM, reading(0))
    journal.flush()
    assert "full" in str(fill_until_refused(journal, flush_every=500))
    assert journal.pending > 0
    assert journal.last_error is not None
    kept = committed(path)
    report = verify_journal(path, KEY.public)
    assert report.ok, report.format()
    with pytest.raises(JournalFullError):
        journal.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with open_journal(path) as reopened:
        assert reopened.previous_session_clean is False
        assert reopened.head(STREAM)[0] == len(kept)


def test_appends_beyond_the_pending_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(
        path,
        max_bytes=64 * 4096,
        commit_every_records=100,
        max_pending_records=100,
        commit_interval_s=60,
    )
    assert "was not taken" in str(fill_until_refused(journal, flush_every=None))
    with pytest.raises(JournalFullError):
        journal.close()  # it cannot commit either
    assert verify_journal(path, KEY.public).ok


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="commit_interval_s"):
        JournalOptions(commit_interval_s=0)
    with pytest.raises(ValueError, match="max_pending_records"):
        JournalOptions(commit_every_records=10, max_pending_records=5)


def test_records_appended_together_are_committed_together(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = open_journal(path, commit_interval_s=0.001)
    with JournalReader(path) as reader:
        committed = reader.last_row_id()
        with journal.together():
            journal.append_reading(STREAM, reading(0))
            time.sleep(0.01)  # the commit interval has passed: only the block's end commits
            journal.append_event(STREAM, "excursion_started", {"probe": "F1-air"})
            assert reader.last_row_id() == committed
        assert reader.last_row_id() == committed + 2
    journal.close()


def test_asking_for_the_head_of_an_unknown_stream_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with open_journal(path) as journal:
        assert journal.head("lot:L2026-404") == (0, genesis_hash("lot:L2026-404"))
        journal.append_reading(STREAM, reading(0))
    with JournalReader(path) as reader:
        assert reader.stream_names() == ["device", STREAM]


def test_one_flush_signs_each_waiting_stream_once(tmp_path: Path) -> None:
    # A commit that falls due while the flush appends its checkpoints (here every record,
    # after a stall an urgent one) must not start a flush inside the flush: that one signed
    # the streams still to come, and the first then signed them again, checkpoint on checkpoint.
    clock = StepClock()
    streams = [f"enclosure:F{i}:2026-11-26" for i in range(1, 6)]
    options = {"checkpoint_every_s": 60, "commit_every_records": 1}
    with open_journal(tmp_path / "j.sqlite", clock, **options) as journal:
        for stream in streams:
            journal.append_event(stream, "door_opened", {"door": "front"})
        clock.mono += 61
        journal.flush()
        assert [journal.head(stream)[0] for stream in streams] == [2] * len(streams)
    with JournalReader(tmp_path / "j.sqlite") as reader:
        for stream in streams:
            kinds = [r.kind for r in reader.stream_records(stream)]
            assert kinds == ["door_opened", "checkpoint"], (stream, kinds)


def test_the_commit_timer_sleeps_to_the_next_beat_of_the_interval(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite", commit_interval_s=1.0) as journal:
        journal.flush()
        assert journal.commit_when_due()  # nothing waits: the timer's next sleep is to a beat
        wake = time.monotonic() + journal.next_commit_in()
        assert wake % 1.0 == pytest.approx(0.0, abs=0.01) or wake % 1.0 > 0.99
