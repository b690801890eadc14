"""The daily sheet: min, max, mean, time out of band, and the day rolled over by the caller."""

from __future__ import annotations

import pytest

from monitor.evaluation import BandMachine, BandSpec, NewDay
from monitor.evaluation.daily import DayStats
from monitor.evaluation.events import DaySummarised
from tests.monitor.evaluation.curves import S, at

DAY = 86_400


def test_a_day_is_summarised_when_the_caller_closes_it() -> None:
    band = BandMachine("F1", BandSpec.fridge(), ["a", "b"], "2024-03-01", 0)
    for reading in [at(60, 3.0, "a"), at(60, 2.0, "b"), at(120, 3.5, "a"), at(180, 1.5, "b")]:
        band.feed(reading)
    band.feed(at(1000, 5.0, "a"))  # excursion from 1000 s ...
    band.feed(at(1300, 3.0, "a"))  # ... to 1300 s: 300 s out of band
    (event,) = band.step(NewDay(DAY * S, "2024-03-02"))
    assert isinstance(event, DaySummarised)
    summary = event.summary
    assert (summary.day, summary.start_ts, summary.end_ts) == ("2024-03-01", 0, DAY * S)
    assert summary.samples == 6
    assert (summary.min_c, summary.min_ts) == (1.5, 180 * S)
    assert (summary.max_c, summary.max_ts) == (5.0, 1000 * S)
    assert summary.mean_c == pytest.approx((3.0 + 2.0 + 3.5 + 1.5 + 5.0 + 3.0) / 6)
    assert summary.out_of_band_s == 300.0
    assert (summary.excursions, summary.alarms) == (1, 0)
    fields = event.fields()
    assert fields["day"] == "2024-03-01"
    assert fields["out_of_band_s"] == 300.0
    assert band.day_summary().day == "2024-03-02"
    assert band.day_summary().samples == 0


def test_an_excursion_across_midnight_is_split_between_the_days() -> None:
    band = BandMachine("F1", BandSpec.fridge(), ["p"], "d1", 0)
    band.feed(at(DAY - 900, 5.0, "p"))
    (first,) = band.new_day(DAY * S, "d2")  # the alarm came at DAY - 300 s, before midnight
    assert first.summary.out_of_band_s == 900.0  # type: ignore[attr-defined]
    assert first.summary.alarms == 1  # type: ignore[attr-defined]
    band.feed(at(DAY + 600, 3.0, "p"))
    second = band.day_summary()
    assert second.out_of_band_s == 600.0
    assert second.excursions == 0  # counted on the day it started
    (closing,) = band.new_day(2 * DAY * S, "d3")
    assert closing.summary.out_of_band_s == 600.0  # type: ignore[attr-defined]


def test_an_open_excursion_counts_up_to_now_in_the_running_summary() -> None:
    band = BandMachine("F1", BandSpec.fridge(), ["p"], "d1", 0)
    band.feed(at(100, 9.0, "p"))
    band.tick(400 * S)
    assert band.day_summary().out_of_band_s == 300.0


def test_an_empty_day_has_no_figures() -> None:
    summary = DayStats("d", 5).summary(10, None)
    assert (summary.samples, summary.min_c, summary.max_c, summary.mean_c) == (0, None, None, None)
    assert summary.out_of_band_s == 0.0


def test_the_mean_survives_absurd_values() -> None:
    stats = DayStats("d", 0)
    for i, value in enumerate([1.7e308, 1.7e308, -1.7e308, 1.7e308]):
        stats.add(i, value)
    assert stats.summary(10, None).mean_c == pytest.approx(0.85e308)
