"""Days and months as people type them, and the local times of the daily sheets."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.clock import ns_to_datetime
from monitor.sheets.days import (
    BadDay,
    alarm_due_ns,
    duration_text,
    month_days,
    next_month,
    parse_day,
    parse_month,
)


def test_days_and_months_are_read() -> None:
    assert parse_day("2026-11-21") == date(2026, 11, 21)
    assert parse_month("2026-11") == date(2026, 11, 1)
    assert len(month_days(date(2028, 2, 1))) == 29
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)


@pytest.mark.parametrize("text", ["2026-11-31", "21/11/2026", "2026-1-2", "", "2026-11-21x"])
def test_a_malformed_day_says_what_to_write(text: str) -> None:
    with pytest.raises(BadDay, match="write the local date as YYYY-MM-DD"):
        parse_day(text)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "11-2026", "2026-11-01", "0000-01"])
def test_a_malformed_month_says_what_to_write(text: str) -> None:
    with pytest.raises(BadDay, match="write it as YYYY-MM"):
        parse_month(text)


def test_the_alarm_is_due_at_local_time_of_the_next_day_across_a_clock_change() -> None:
    # 25 October 2026: Paris goes back from CEST to CET during the night.
    due = ns_to_datetime(alarm_due_ns(date(2026, 10, 24), 600, "Europe/Paris"))
    assert due.isoformat() == "2026-10-25T09:00:00+00:00"  # 10:00 CET
    due = ns_to_datetime(alarm_due_ns(date(2026, 10, 23), 600, "Europe/Paris"))
    assert due.isoformat() == "2026-10-24T08:00:00+00:00"  # 10:00 CEST


def test_durations_read_to_the_minute() -> None:
    assert [duration_text(s) for s in (0.0, 29.0, 31.0, 3600.0, 86400.0, None)] == [
        "0:00", "0:00", "0:01", "1:00", "24:00", "—"]  # fmt: skip
