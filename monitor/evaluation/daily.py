"""The daily sheet of an enclosure: min, max, mean and time out of band, one day at a time.

docs/RULES.md, Cold chain: "Each enclosure has a daily min/max sheet that a technician signs"
(Arrêté 1995 II: "attestée par la signature de la personne … sur une fiche propre à chaque
appareil"). The core knows no time zone: the caller computes the day key (e.g. the local
date ``2024-03-01``) and tells the band machine when a day ends (``NewDay``).

Figures are over usable readings of every probe of the enclosure; ``mean_c`` is the mean of
those readings. Measured and unmeasured time are kept apart (docs/RULES.md, Cold chain, C7):

- ``out_of_band_s`` is the measured time in excursions (from the first reading out of the
  band until back inside it by the deadband) while a reading covers it (see ``band``);
- ``unmeasured_s`` is the time no usable reading covers, in an excursion or not: a silence is
  neither out of band nor back in it, and the stale alarm (F4) says why it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from monitor.evaluation.event_base import Event, FieldValue
from monitor.evaluation.text import seconds


@dataclass(slots=True)
class DayStats:
    """The running figures of the current day (plain data, part of the band state)."""

    day: str
    start_ts: int
    samples: int = 0
    mean_c: float = 0.0
    min_c: float | None = None
    min_ts: int | None = None
    max_c: float | None = None
    max_ts: int | None = None
    out_of_band_ns: int = 0
    unmeasured_ns: int = 0
    excursions: int = 0
    alarms: int = 0

    def add(self, ts: int, value: float) -> None:
        """One usable reading."""
        n = self.samples = self.samples + 1
        if self.min_c is None or value < self.min_c:
            self.min_c, self.min_ts = value, ts
        if self.max_c is None or value > self.max_c:
            self.max_c, self.max_ts = value, ts
        # A running mean, scaled so that no float overflows even on absurd values; the mean
        # lies between the extremes, the clamp only removes rounding noise.
        mean = self.mean_c + (value / n - self.mean_c / n)
        self.mean_c = min(max(mean, self.min_c), self.max_c)

    def summary(self, end_ts: int) -> DailySummary:
        """The figures up to ``end_ts``; the band machine counts time as it passes."""
        mean = self.mean_c if self.samples else None
        return DailySummary(
            self.day, self.start_ts, max(end_ts, self.start_ts), self.samples, self.min_c,
            self.min_ts, self.max_c, self.max_ts, mean, seconds(self.out_of_band_ns),
            seconds(self.unmeasured_ns), self.excursions, self.alarms,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class DailySummary:
    """One enclosure-day as a technician signs it; durations in seconds (see the module)."""

    day: str
    start_ts: int
    end_ts: int
    samples: int
    min_c: float | None
    min_ts: int | None
    max_c: float | None
    max_ts: int | None
    mean_c: float | None
    out_of_band_s: float
    unmeasured_s: float
    excursions: int
    alarms: int


@dataclass(frozen=True, slots=True)
class DaySummarised(Event):
    """The record that closes an enclosure-day; ``fields()`` inlines the summary."""

    kind: ClassVar[str] = "day_summarised"
    summary: DailySummary

    def fields(self) -> dict[str, FieldValue]:
        su = self.summary
        return {
            "subject": self.subject,
            "day": su.day,
            "start_ts": su.start_ts,
            "end_ts": su.end_ts,
            "samples": su.samples,
            "min_c": su.min_c,
            "min_ts": su.min_ts,
            "max_c": su.max_c,
            "max_ts": su.max_ts,
            "mean_c": su.mean_c,
            "out_of_band_s": su.out_of_band_s,
            "unmeasured_s": su.unmeasured_s,
            "excursions": su.excursions,
            "alarms": su.alarms,
        }
