"""The daily sheet: min, max, mean, time out of band, and the day rolled over by the caller."""

from __future__ import annotations

import pytest

from monitor.evaluation import BandMachine, BandSpec, NewDay
from monitor.evaluation.daily import DayStats, DaySummarised
from tests.monitor.evaluation.curves import S, at

DAY = 86_400


def test_a_day_is_summarised_when_the_caller_closes_it() -> None:
    band = BandMachine("F1", BandSpec.fridge(), ["a", "b"], "2024-03-01", 0)
    for t in range(0, 2001, 10):
        # a: an excursion from 1000 s to 1300 s (300 s out of band); b stays at 2 °C
        band.feed(at(t, 5.0 if 1000 <= t < 1300 else 3.0, "a"))
        band.feed(at(t, 2.0, "b"))
    (event,) = band.step(NewDay(DAY * S, "2024-03-02"))
    assert isinstance(event, DaySummarised)
    summary = event.summary
    assert (summary.day, summary.start_ts, summary.end_ts) == ("2024-03-01", 0, DAY * S)
    assert summary.samples == 402
    assert (summary.min_c, summary.min_ts) == (2.0, 0)
    assert (summary.max_c, summary.max_ts) == (5.0, 1000 * S)
    assert summary.mean_c == pytest.approx((30 * 5.0 + 171 * 3.0 + 201 * 2.0) / 402)
    assert summary.out_of_band_s == 300.0
    # the last readings (2000 s) vouch for 30 s; nothing is known of the rest of the day
    assert summary.unmeasured_s == DAY - 2030.0
    assert (summary.excursions, summary.alarms) == (1, 0)
    fields = event.fields()
    assert fields["day"] == "2024-03-01"
    assert (fields["out_of_band_s"], fields["unmeasured_s"]) == (300.0, DAY - 2030.0)
    assert band.day_summary().day == "2024-03-02"
    assert band.day_summary().samples == 0


def test_the_sheet_keeps_unmeasured_time_apart() -> None:
    # docs/RULES.md, Cold chain, C7: a silence in band (1000-1600 s) and one in an excursion
    # (2100-2250 s) are unmeasured; only measured time counts as out of band.
    band = BandMachine("F1", BandSpec.fridge(), ["p"], "d1", 0)
    silent = range(1000, 1600), range(2100, 2250)
    for t in range(0, 3000, 10):
        if not any(t in s for s in silent):
            band.feed(at(t, 5.0 if 2000 <= t < 2300 else 3.0, "p"))
    assert band.feed(at(3000, 3.0, "p")) == ()  # the excursion ended at 2300 s
    summary = band.day_summary()
    assert summary.out_of_band_s == 120.0 + 50.0  # 2000-2120 s and 2250-2300 s
    assert summary.unmeasured_s == 580.0 + 130.0  # 1020-1600 s and 2120-2250 s
    assert summary.excursions == 1


def test_an_excursion_across_midnight_is_split_between_the_days() -> None:
    band = BandMachine("F1", BandSpec.fridge(), ["p"], "d1", 0)
    for t in range(DAY - 900, DAY, 10):
        band.feed(at(t, 5.0, "p"))
    (first,) = band.new_day(DAY * S, "d2")  # the alarm came at DAY - 300 s, before midnight
    assert first.summary.out_of_band_s == 900.0  # type: ignore[attr-defined]
    assert first.summary.unmeasured_s == DAY - 900.0  # type: ignore[attr-defined]
    assert first.summary.alarms == 1  # type: ignore[attr-defined]
    for t in range(DAY, DAY + 600, 10):
        band.feed(at(t, 5.0, "p"))
    band.feed(at(DAY + 600, 3.0, "p"))
    second = band.day_summary()
    assert second.out_of_band_s == 600.0
    assert second.excursions == 0  # counted on the day it started
    (closing,) = band.new_day(2 * DAY * S, "d3")
    assert closing.summary.out_of_band_s == 600.0  # type: ignore[attr-defined]
    assert closing.summary.unmeasured_s == DAY - 630.0  # type: ignore[attr-defined]


def test_an_open_excursion_counts_up_to_now_in_the_running_summary() -> None:
    band = BandMachine("F1", BandSpec.fridge(), ["p"], "d1", 0)
    for t in range(100, 401, 10):
        band.feed(at(t, 9.0, "p"))
    summary = band.day_summary()
    assert (summary.out_of_band_s, summary.unmeasured_s) == (300.0, 100.0)


def test_an_empty_day_has_no_figures() -> None:
    summary = DayStats("d", 5).summary(10)
    assert (summary.samples, summary.min_c, summary.max_c, summary.mean_c) == (0, None, None, None)
    assert (summary.out_of_band_s, summary.unmeasured_s) == (0.0, 0.0)


def test_the_mean_survives_absurd_values() -> None:
    stats = DayStats("d", 0)
    for i, value in enumerate([1.7e308, 1.7e308, -1.7e308, 1.7e308]):
        stats.add(i, value)
    assert stats.summary(10).mean_c == pytest.approx(0.85e308)
