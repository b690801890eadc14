"""The continuous re-check over a real journal: intact, it finds nothing and completes its
passes; a row altered, deleted or forged in the file is named at its stream, seq and row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from monitor.journal import JournalReader
from monitor.journal.recheck import Damage, Recheck, RecheckProgress
from monitor.journal.rowcodec import LOST_STREAM
from tests.monitor.journal.forged_tail import alter, forge_reading, row_of
from tests.monitor.journal.samples import CYCLE, ENCLOSURE, T0, S, build_journal, device_key

KEY = device_key()
KEYS = {KEY.key_id: KEY.public}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recheck") / "journal.sqlite"
    build_journal(path, KEY)
    return path


@pytest.fixture
def journal(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "journal.sqlite"
    shutil.copy(built, copy)
    return copy


def one_pass(path: Path, limit: int = 7) -> tuple[list[Damage], RecheckProgress]:
    progress = RecheckProgress()
    recheck = Recheck(path, dict(KEYS), progress)
    found: list[Damage] = []
    try:
        for step in range(1000):
            found += recheck.step(limit, step)
            if progress.passes_completed:
                return found, progress
    finally:
        recheck.close()
    raise AssertionError("the pass never completed")


def rows(path: Path) -> int:
    with JournalReader(path) as reader:
        return reader.last_row_id()


def test_an_intact_journal_passes_in_steps_of_the_rate(journal: Path) -> None:
    found, progress = one_pass(journal, limit=7)
    assert found == []
    assert progress.row_reached == progress.last_row == rows(journal)
    assert progress.last_pass_completed_ns == (rows(journal) + 6) // 7 - 1  # 7 rows a step
    assert progress.last_pass_findings == 0


def test_a_second_pass_starts_again_from_the_first_row(journal: Path) -> None:
    progress = RecheckProgress()
    recheck = Recheck(journal, dict(KEYS), progress)
    try:
        recheck.step(10_000, 1)
        assert progress.passes_completed == 1
        recheck.step(3, 2)
        assert (progress.row_reached, progress.pass_started_ns) == (3, 2)
    finally:
        recheck.close()


def test_an_altered_reading_long_signed_is_named(journal: Path) -> None:
    row = row_of(journal, CYCLE, 3)
    alter(journal, "value = value + 1", row)
    found, progress = one_pass(journal)
    assert [(d.stream, d.seq, d.row) for d in found] == [(CYCLE, 3, row)]
    assert "does not match its chain" in found[0].problem
    assert progress.last_pass_findings == 1


def test_a_changed_signature_is_named(journal: Path) -> None:
    with JournalReader(journal) as reader:
        [checkpoint] = [r for r in reader.stream_records(ENCLOSURE) if r.kind == "checkpoint"][:1]
    row = row_of(journal, ENCLOSURE, checkpoint.seq)
    alter(journal, 'extra = replace(extra, \'"signature":"\', \'"signature":"A\')', row)
    found, _ = one_pass(journal)
    assert {(d.stream, d.seq) for d in found} == {(ENCLOSURE, checkpoint.seq)}
    assert any("signature does not verify" in d.problem for d in found)


def test_a_deleted_row_is_named(journal: Path) -> None:
    row = row_of(journal, ENCLOSURE, 2)
    with sqlite3.connect(journal) as db:
        db.execute("DROP TRIGGER records_no_delete")
        db.execute("DELETE FROM records WHERE id = ?", (row,))
    found, _ = one_pass(journal)
    assert (LOST_STREAM, row) in {(d.stream, d.seq) for d in found}
    assert (ENCLOSURE, 2) in {(d.stream, d.seq) for d in found}
    assert any("#2..2 are missing" in d.problem for d in found)


def test_a_record_forged_after_the_close_is_named(journal: Path) -> None:
    forged = forge_reading(journal, ENCLOSURE, T0 + 7300 * S)
    found, _ = one_pass(journal)
    assert [(d.stream, d.seq) for d in found] == [(ENCLOSURE, forged.seq)]
    assert "was stored after the journal was closed" in found[0].problem


def test_an_opening_record_altered_is_named_alone(journal: Path) -> None:
    with JournalReader(journal) as reader:
        device = reader.stream_records("device")
    [opened] = [r for r in device if r.kind == "journal_opened" and r.seq > 1]
    alter(
        journal,
        "kind = (SELECT id FROM symbols WHERE text = 'reading')",
        row_of(journal, "device", opened.seq),
    )
    found, _ = one_pass(journal)
    assert {(d.stream, d.seq) for d in found} == {("device", opened.seq)}
    assert any("stored after the journal was closed" in d.problem for d in found)
