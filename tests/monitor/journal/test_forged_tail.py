"""Records stored while no writer ran, after a clean close: an error for the verifier, found by
the writer when it opens the journal again, and named in their stream before any signature
of the writer covers them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from monitor.journal import (
    DEVICE_STREAM,
    FindingKind,
    FindingSeverity,
    Journal,
    JournalReader,
    verify_journal,
    verify_records,
)
from monitor.journal.record import Fields
from monitor.journal.rowcodec import LOST_STREAM
from monitor.reading import Quality, Reading
from tests.monitor.journal.forged_tail import forge, forge_reading, row_of
from tests.monitor.journal.samples import ENCLOSURE, T0, S, StepClock, build_journal, device_key

KEY = device_key()
CLOSED_AT = T0 + 7200 * S  # about when build_journal's second session closes
K = FindingKind


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forged") / "journal.sqlite"
    build_journal(path, KEY)
    return path


@pytest.fixture
def journal(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "journal.sqlite"
    shutil.copy(built, copy)  # closed cleanly: its WAL is in the file
    return copy


def open_again(path: Path) -> Journal:
    return Journal(path, KEY, StepClock(now=CLOSED_AT + 600 * S))


def errors_at(path: Path, stream: str, seq: int) -> set[FindingKind]:
    report = verify_journal(path, KEY.public)
    assert not report.ok, report.format()
    return {f.kind for f in report.at(stream, seq) if f.severity is FindingSeverity.ERROR}


def test_a_record_stored_after_a_clean_close_is_an_error(journal: Path) -> None:
    forged = forge_reading(journal, ENCLOSURE, CLOSED_AT + 60 * S)
    report = verify_journal(journal, KEY.public)
    assert not report.ok, report.format()
    [finding] = report.errors
    assert finding.kind is K.AFTER_CLOSE
    assert finding.covers(ENCLOSURE, forged.seq)
    assert "after the journal was closed" in finding.message


@pytest.mark.parametrize("written_to", [False, True], ids=["left alone", "written to"])
def test_the_next_start_names_a_forged_record_and_never_signs_it(
    journal: Path, written_to: bool
) -> None:
    forged = forge_reading(journal, ENCLOSURE, CLOSED_AT + 60 * S)
    with open_again(journal) as writer:
        assert "stored after the journal was closed" in writer.damaged_streams[ENCLOSURE]
        if written_to:
            reading = Reading("F1-air", CLOSED_AT + 700 * S, 3.5, Quality.OK)
            assert writer.append_reading(ENCLOSURE, reading).seq == forged.seq + 2
    with JournalReader(journal) as reader:
        after = reader.stream_records(ENCLOSURE)[forged.seq :]
        device = reader.stream_records(DEVICE_STREAM)
    note = after[0]  # the head moves past the forged record with its note, nothing else
    assert note.kind == "stream_damaged"
    assert (note.fields["first_seq"], note.fields["last_seq"]) == (forged.seq, forged.seq)
    assert "stored after the journal was closed" in str(note.fields["problem"])
    signatures = [r for r in after if r.kind == "checkpoint"]
    assert signatures
    assert all(int(str(r.fields["head_seq"])) > forged.seq for r in signatures)
    opened = max(i for i, r in enumerate(device) if r.kind == "journal_opened")
    assert [r.kind for r in device[opened:]][:2] == ["journal_opened", "stream_damaged"]
    assert [r.fields["stream"] for r in device if r.kind == "stream_damaged"] == [ENCLOSURE]
    report = verify_journal(journal, KEY.public)
    assert not report.ok, report.format()
    assert all(f.covers(ENCLOSURE, forged.seq) for f in report.errors), report.format()
    assert {f.kind for f in report.errors} == {K.AFTER_CLOSE, K.DAMAGE_NOTED}


def test_the_stream_alone_still_names_the_forged_record(journal: Path) -> None:
    forged = forge_reading(journal, ENCLOSURE, CLOSED_AT + 60 * S)
    open_again(journal).close()
    with JournalReader(journal) as reader:
        records = reader.stream_records(ENCLOSURE)  # what a bundle of the stream carries
    report = verify_records(records, KEY.public)
    assert [f.kind for f in report.errors] == [K.DAMAGE_NOTED], report.format()
    assert report.errors[0].covers(ENCLOSURE, forged.seq)


def test_a_device_record_forged_after_the_close_is_found(journal: Path) -> None:
    forged = forge(journal, DEVICE_STREAM, "settings_applied", CLOSED_AT + 60 * S, {"x": 1})
    assert errors_at(journal, DEVICE_STREAM, forged.seq) == {K.AFTER_CLOSE}
    with open_again(journal) as writer:
        assert writer.previous_session_clean is False  # it looks like a crash, and is not
        assert "stored after the journal was closed" in writer.damaged_streams[DEVICE_STREAM]
    assert K.DAMAGE_NOTED in errors_at(journal, DEVICE_STREAM, forged.seq)


def test_a_forged_checkpoint_hides_nothing(journal: Path) -> None:
    forged = forge_reading(journal, ENCLOSURE, CLOSED_AT + 60 * S)
    fields: Fields = {"head_seq": forged.seq, "head_hash": forged.hash.hex(), "key_id": KEY.key_id,
              "signature": "AAAA"}  # fmt: skip
    forge(journal, ENCLOSURE, "checkpoint", CLOSED_AT + 61 * S, fields)
    with open_again(journal) as writer:
        problem = writer.damaged_streams[ENCLOSURE]
    assert "signature does not verify" in problem
    assert f"#{forged.seq} (row " in problem
    assert {K.AFTER_CLOSE, K.DAMAGE_NOTED} <= errors_at(journal, ENCLOSURE, forged.seq)


def test_a_row_of_no_stream_stored_after_the_close_is_named(journal: Path) -> None:
    with sqlite3.connect(journal) as db:
        db.execute(
            "INSERT INTO records (stream, seq, ts, kind, hash) VALUES (999, 1, ?, 1, ?)",
            (CLOSED_AT + 60 * S, bytes(32)),
        )
    with open_again(journal) as writer:
        assert "names no stream" in writer.damaged_streams[LOST_STREAM]
    with JournalReader(journal) as reader:
        notes = [r for r in reader.stream_records(DEVICE_STREAM) if r.kind == "stream_damaged"]
    assert [r.fields["stream"] for r in notes] == [LOST_STREAM]


def test_records_left_unsigned_by_a_clean_session_are_found(journal: Path) -> None:
    with JournalReader(journal) as reader:
        closing = reader.stream_records(ENCLOSURE)[-1]
    assert closing.kind == "checkpoint"
    with sqlite3.connect(journal) as db:
        db.execute("DROP TRIGGER records_no_delete")
        db.execute("DELETE FROM records WHERE id = ?", (row_of(journal, ENCLOSURE, closing.seq),))
    with open_again(journal) as writer:
        assert "not signed, though the session" in writer.damaged_streams[ENCLOSURE]


def test_a_clean_journal_opens_without_damage(journal: Path) -> None:
    with open_again(journal) as writer:
        assert writer.damaged_streams == {}
        writer.append_reading(ENCLOSURE, Reading("F1-air", CLOSED_AT + 700 * S, 3.5, Quality.OK))
    with open_again(journal) as writer:
        assert writer.damaged_streams == {}
    report = verify_journal(journal, KEY.public)
    assert not report.findings, report.format()


def test_a_tail_left_by_a_crash_is_checked_and_signed_at_the_next_close(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    crashed = Journal(path, KEY, StepClock())
    for i in range(3):
        crashed.append_reading(ENCLOSURE, Reading("F1-air", T0 + i * S, 3.5, Quality.OK))
    crashed.flush()
    crashed.file.release()  # the process dies: no close, nothing signed
    assert verify_journal(path, KEY.public).warnings
    with Journal(path, KEY, StepClock(now=T0 + 60 * S)) as writer:
        assert writer.previous_session_clean is False
        assert writer.damaged_streams == {}
    report = verify_journal(path, KEY.public)
    assert not report.findings, report.format()  # the tail it did not touch is signed too
