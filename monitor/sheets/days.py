"""Days and months of the daily sheets: read from what people type, placed in local time.

A sheet's day is the site's local day (docs/RULES.md, Cold chain, C8); a review covers a
local month. What a person types is checked here, so every entry point (API, command line)
refuses a malformed day with the same words.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.clock import datetime_to_ns, ns_to_datetime

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class BadDay(ValueError):
    """A day or month that is not one; the message says what to write."""


def parse_day(text: str) -> date:
    """``2026-11-21`` as a date, or ``BadDay``."""
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise BadDay(f"malformed day {text!r}: write the local date as YYYY-MM-DD, e.g. 2026-11-21")


def parse_month(text: str) -> date:
    """``2026-11`` as the month's first day, or ``BadDay``."""
    match = _MONTH.fullmatch(text)
    if match is not None:
        try:
            return date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            pass
    raise BadDay(f"malformed month {text!r}: write it as YYYY-MM, e.g. 2026-11")


def month_days(month: date) -> list[date]:
    """Every day of ``month``, in order."""
    days, day = [], month.replace(day=1)
    while day.month == month.month:
        days.append(day)
        day += timedelta(days=1)
    return days


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def local_day(ts_ns: int, zone: str) -> date:
    """The local date of a stamp."""
    return ns_to_datetime(ts_ns).astimezone(ZoneInfo(zone)).date()


def local_ns(day: date, minutes: int, zone: str) -> int:
    """``minutes`` after local midnight of ``day``, as UTC ns."""
    at = time(minutes // 60, minutes % 60)
    return datetime_to_ns(datetime.combine(day, at, tzinfo=ZoneInfo(zone)))


def alarm_due_ns(day: date, minutes: int, zone: str) -> int:
    """When the unsigned sheet of ``day`` becomes an alarm: at ``minutes`` of the next day."""
    return local_ns(day + timedelta(days=1), minutes, zone)


def local_text(ts_ns: int | None, zone: str, seconds: bool = False) -> str:
    """A stamp as the site reads it: ``2026-11-22 09:12`` (local time)."""
    if ts_ns is None:
        return "—"
    shape = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return ns_to_datetime(ts_ns).astimezone(ZoneInfo(zone)).strftime(shape)


def clock_text(ts_ns: int | None, zone: str) -> str:
    """The local time of day of a stamp: ``23:05``."""
    if ts_ns is None:
        return "—"
    return ns_to_datetime(ts_ns).astimezone(ZoneInfo(zone)).strftime("%H:%M")


def duration_text(seconds: float | None) -> str:
    """``1:05`` hours and minutes (a sheet's durations are read to the minute)."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"
