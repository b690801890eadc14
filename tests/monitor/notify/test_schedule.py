"""Weekly windows in the site's zone: shifts past midnight, weekends, DST, next openings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.notify.schedule import covers, next_local, next_opening

PARIS = ZoneInfo("Europe/Paris")
WEEK = ["mon", "tue", "wed", "thu", "fri"]


def ns(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=PARIS).timestamp()) * 1_000_000_000


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)


def test_a_night_shift_runs_past_midnight_into_the_next_day() -> None:
    # Friday 2026-12-04 18:00 → Saturday 08:00 belongs to Friday.
    assert covers(["fri"], "18:00", "08:00", at(2026, 12, 4, 23, 0))
    assert covers(["fri"], "18:00", "08:00", at(2026, 12, 5, 7, 59))
    assert not covers(["fri"], "18:00", "08:00", at(2026, 12, 5, 8, 0))
    assert not covers(["fri"], "18:00", "08:00", at(2026, 12, 4, 7, 0))


def test_a_day_window_and_a_whole_day() -> None:
    assert covers(WEEK, "08:00", "18:00", at(2026, 12, 3, 8, 0))
    assert not covers(WEEK, "08:00", "18:00", at(2026, 12, 3, 18, 0))
    assert not covers(WEEK, "08:00", "18:00", at(2026, 12, 5, 12, 0))  # a Saturday
    assert covers(["sat", "sun"], "00:00", "00:00", at(2026, 12, 5, 3, 0))


def test_the_next_opening_of_working_hours_skips_the_weekend() -> None:
    friday_evening = ns(2026, 12, 4, 19, 30)
    assert next_opening(WEEK, "08:00", "18:00", friday_evening, PARIS) == ns(2026, 12, 7, 8, 0)
    inside = ns(2026, 12, 3, 10, 0)
    assert next_opening(WEEK, "08:00", "18:00", inside, PARIS) == inside
    early = ns(2026, 12, 3, 6, 0)
    assert next_opening(WEEK, "08:00", "18:00", early, PARIS) == ns(2026, 12, 3, 8, 0)


def test_the_next_local_time_follows_the_zone_across_a_dst_change() -> None:
    # The night of 2027-03-28 loses an hour: 09:00 local is 07:00 UTC from then on.
    before = ns(2027, 3, 27, 10, 0)
    assert next_local("09:00", before, PARIS) == ns(2027, 3, 28, 9, 0)
    assert next_local("09:00", ns(2027, 3, 28, 9, 0), PARIS) == ns(2027, 3, 29, 9, 0)
