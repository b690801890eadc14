"""Daily sheets read back from a journal: figures, excursions, faults, signatures, review."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from monitor.journal import Journal, JournalReader, verify_journal
from monitor.journal.keys import public_key_b64
from monitor.journal.streams import sheets_stream
from monitor.sheets.model import (
    REVIEWED,
    SIGN_MEANING,
    SIGNED,
    reviewed_fields,
    signed_fields,
)
from monitor.sheets.read import read_month, read_sheet, recorded_enclosures
from monitor.sheets.views import sheet_json, sheet_lines
from monitor.signature import Signature
from tests.monitor.journal.samples import device_key
from tests.monitor.sheets.month_journal import (
    ZONE,
    Day,
    Excursion,
    SetClock,
    close_day,
    midnight,
)

NOV = date(2026, 11, 1)
D20, D21, D22 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
ANNE = Signature("anne", "Anne Martin", SIGN_MEANING, "door closed")


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    clock = SetClock(midnight(date(2026, 11, 23)) + 9 * 3600 * 10**9)
    journal = Journal(tmp_path / "journal.sqlite", device_key(), clock)
    close_day(journal, "F1", Day(D20, 2.1, 6.5, 3.4, (Excursion(23 * 60, None, 6.5),)))
    late = Day(D21, 1.9, 5.9, 3.1, (Excursion(-60, 30, 6.8),), faults=("F1-air", "F1-door"))
    close_day(journal, "F1", late)
    close_day(journal, "Z1", Day(D21, -21.0, -17.0, -19.5), probe="Z1-air")
    reading_only = Day(D22, 3.0, 3.2, 3.1, closed=False)
    close_day(journal, "F1", reading_only)
    journal.flush()
    return journal


def test_a_closed_day_reads_with_its_figures_excursions_and_faults(journal: Journal) -> None:
    with JournalReader(journal.path) as reader:
        first, second = read_sheet(reader, "F1", D20), read_sheet(reader, "F1", D21)
    assert first.closed
    assert first.figures is not None
    assert (first.figures.min_c, first.figures.max_c, first.figures.mean_c) == (2.1, 6.5, 3.4)
    assert first.figures.excursions == 1
    (going_on,) = first.excursions
    assert (going_on.side, going_on.carried, going_on.alarmed, going_on.ended_ts) == (
        "high", False, True, None)  # fmt: skip
    # The next day: the excursion carried over ends, its side read from the day before.
    (carried,) = second.excursions
    assert (carried.since_ts, carried.side, carried.carried) == (going_on.since_ts, "high", True)
    assert carried.ended_ts == midnight(D21) + 30 * 60 * 10**9
    assert carried.worst_c == 6.8
    assert [(f.probe, f.what) for f in second.faults] == [("F1-air", "stale"), ("F1-door", "fault")]
    assert second.faults[1].detail == "open circuit (3276.7)"
    lines = "\n".join(sheet_lines(second, ZONE))
    carried_line = (
        "from the day before (2026-11-20 23:00), high, alarmed, back in the band at 00:30"
    )
    assert carried_line in lines
    assert "F1-air stale: no reading for more than 30 s" in lines
    assert "NOT SIGNED" in lines


def test_days_open_and_unrecorded(journal: Journal) -> None:
    with JournalReader(journal.path) as reader:
        month = read_month(reader, "F1", NOV)
        nothing = read_sheet(reader, "F1", date(2026, 11, 5))
        enclosures = recorded_enclosures(reader)
    assert [s.day for s in month.sheets] == [D20, D21, D22]
    assert [s.day for s in month.unsigned()] == [D20, D21]
    assert (month.sheets[2].recorded, month.sheets[2].closed) == (True, False)
    assert (nothing.recorded, nothing.closed) == (False, False)
    assert "nothing recorded that day" in sheet_lines(nothing, ZONE)[1]
    assert enclosures == {"F1", "Z1"}


def test_signatures_corrections_and_the_review(journal: Journal) -> None:
    stream = sheets_stream("F1", NOV)
    with JournalReader(journal.path) as reader:
        sheet = read_sheet(reader, "F1", D20)
    first = journal.append_event(stream, SIGNED, signed_fields(sheet, ANNE, None, ""))
    journal.flush()
    with JournalReader(journal.path) as reader:
        signed = read_sheet(reader, "F1", D20)
    assert signed.signature is not None
    assert signed.signature.seq == first.seq
    fixed = signed_fields(signed, replace(ANNE, comment=""), signed.signature, "wrong door noted")
    journal.append_event(stream, SIGNED, fixed)
    for day in (D21, D22):
        with JournalReader(journal.path) as reader:
            other = read_sheet(reader, "F1", day)
        if other.closed:
            journal.append_event(stream, SIGNED, signed_fields(other, ANNE, None, ""))
    journal.flush()
    with JournalReader(journal.path) as reader:
        month = read_month(reader, "F1", NOV)
    corrected = month.sheets[0]
    assert [a.replaces_seq for a in corrected.signatures] == [None, first.seq]
    assert corrected.signature is not None
    assert corrected.signature.reason == "wrong door noted"
    assert sheet_json(corrected)["corrected"][0]["seq"] == first.seq
    assert month.unsigned() == []  # 22 November is not closed yet: nothing to sign
    sophie = Signature("sophie", "Dr Sophie Bernard", "I reviewed the month's daily sheets", "")
    journal.append_event(stream, REVIEWED, reviewed_fields(month, sophie, None, ""))
    journal.flush()
    with JournalReader(journal.path) as reader:
        reviewed = read_month(reader, "F1", NOV)
    assert reviewed.review is not None
    assert reviewed.review.days == ("2026-11-20", "2026-11-21")
    assert reviewed.review_stands()
    # A signature corrected after the review: the review no longer covers what stands.
    with JournalReader(journal.path) as reader:
        again = read_sheet(reader, "F1", D21)
    journal.append_event(stream, SIGNED, signed_fields(again, ANNE, again.signature, "typo"))
    journal.flush()
    with JournalReader(journal.path) as reader:
        assert not read_month(reader, "F1", NOV).review_stands()
        assert read_sheet(reader, "F1", D21).month_review == reviewed.review
    journal.close()
    report = verify_journal(journal.path, public_key_b64(device_key().public))
    assert report.ok, report.format()


def test_fields_of_the_wrong_type_read_as_absent(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite", device_key(), SetClock(midnight(D22)))
    odd = Day(D20, 2.0, 3.0, 2.5, extra={"min_c": "cold", "samples": True, "excursions": 1.5})
    close_day(journal, "F1", odd)
    journal.flush()
    with JournalReader(journal.path) as reader:
        sheet = read_sheet(reader, "F1", D20)
    assert sheet.figures is not None
    assert (sheet.figures.min_c, sheet.figures.samples, sheet.figures.excursions) == (
        None, None, None)  # fmt: skip
    assert "min — at" in "\n".join(sheet_lines(sheet, ZONE))
