"""The sheet desk's own guarantees: one signature per sheet even when two arrive together."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from monitor.errors import Refused
from monitor.journal import JournalReader
from monitor.service.sheet_desk import alarm_key, parse_alarm_key
from monitor.sheets.days import local_ns
from tests.monitor.service.sheet_lab import sheet_lab
from tests.monitor.sheets.month_journal import ZONE, Day

D19 = date(2026, 11, 19)
NOW = local_ns(date(2026, 11, 20), 9 * 60, ZONE)


async def test_two_signatures_at_once_make_one_record(tmp_path: Path) -> None:
    async with sheet_lab(tmp_path, NOW, [("F1", Day(D19, 2.0, 3.9, 3.0))]) as lab:
        results = await asyncio.gather(
            lab.sheets.sign("F1", "2026-11-19", lab.signing("anne")),
            lab.sheets.sign("F1", "2026-11-19", lab.signing("sophie")),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(refused) == 1, results
        assert "is already signed by" in str(refused[0])
        lab.journal.flush()
        with JournalReader(lab.journal.path) as reader:
            kinds = [r.kind for r in reader.stream_records("sheets:F1:2026-11")]
        assert kinds == ["sheet_signed"]


def test_alarm_keys_name_the_enclosure_and_the_day() -> None:
    assert alarm_key("F1", D19) == "sheet:F1:2026-11-19"
    assert parse_alarm_key("sheet:F1:2026-11-19") == ("F1", D19)
    for key in ("sheet:F1", "sheet::2026-11-19", "band:F1", "sheet:F1:2026-11-31"):
        assert parse_alarm_key(key) is None


@pytest.mark.parametrize("comment", ["", "door closed at 23:30"])
async def test_the_record_says_what_was_signed(tmp_path: Path, comment: str) -> None:
    async with sheet_lab(
        tmp_path, NOW, [("F1", Day(D19, 2.0, 3.9, 3.0, faults=("F1-air",)))]
    ) as lab:
        request = lab.signing().model_copy(update={"comment": comment})
        answer = await lab.sheets.sign("F1", "2026-11-19", request)
        assert answer["signature"]["comment"] == comment
        lab.journal.flush()
        with JournalReader(lab.journal.path) as reader:
            (record,) = reader.stream_records("sheets:F1:2026-11")
        f = record.fields
        assert (f["min_c"], f["max_c"], f["mean_c"], f["probe_faults"]) == (2.0, 3.9, 3.0, 1)
        assert (f["samples"], f["excursions"], f["alarms"]) == (1440, 0, 0)
