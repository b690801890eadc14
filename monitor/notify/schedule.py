"""Weekly time windows in the site's zone: on-call shifts and working hours.

A window runs on its days from ``start`` to ``end``; an ``end`` earlier than its ``start``
runs past midnight into the next day (a night shift from 18:00 to 08:00 belongs to the day
it starts on), and ``start == end`` is the whole day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from config.notify import WEEKDAYS

NS = 1_000_000_000


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def local_time(ts: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts / NS, UTC).astimezone(zone)


def covers(days: Sequence[str], start: str, end: str, when: datetime) -> bool:
    """Whether the window is open at local time ``when``."""
    now, s, e = when.hour * 60 + when.minute, minutes(start), minutes(end)
    today = WEEKDAYS[when.weekday()]
    yesterday = WEEKDAYS[(when.weekday() - 1) % 7]
    if s == e:
        return today in days
    if s < e:
        return today in days and s <= now < e
    return (today in days and now >= s) or (yesterday in days and now < e)


def next_opening(days: Sequence[str], start: str, end: str, ts: int, zone: ZoneInfo) -> int:
    """When the window next opens, in ns; ``ts`` itself when it is open now."""
    when = local_time(ts, zone)
    if covers(days, start, end, when):
        return ts
    s = minutes(start)
    for ahead in range(8):
        day = (when + timedelta(days=ahead)).date()
        if WEEKDAYS[day.weekday()] not in days:
            continue
        # Built as local wall time: across a DST change the zone resolves it.
        opening = datetime(day.year, day.month, day.day, s // 60, s % 60, tzinfo=zone)
        if opening > when:
            return int(opening.timestamp()) * NS
    return ts  # no day at all in the window: never hold a message back for it


def next_local(hhmm: str, ts: int, zone: ZoneInfo) -> int:
    """The next moment after ``ts`` the site's clock shows ``hhmm``, in ns."""
    when = local_time(ts, zone)
    m = minutes(hhmm)
    for ahead in range(3):
        day = (when + timedelta(days=ahead)).date()
        moment = datetime(day.year, day.month, day.day, m // 60, m % 60, tzinfo=zone)
        if moment > when:
            return int(moment.timestamp()) * NS
    raise AssertionError("a local time of day recurs within two days")
