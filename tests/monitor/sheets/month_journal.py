"""Enclosure-days written as the daemon writes them, for the tests of the daily sheets.

``close_day`` appends a day's readings, excursions, probe faults and closing record to its
``enclosure:<id>:<day>`` stream with the evaluation core's own event classes, so the records
have the shapes the daemon gives them. ``SetClock`` is a clock a test moves by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from monitor.clock import NS_PER_S
from monitor.evaluation.cold_chain_events import (
    ExcursionAlarmed,
    ExcursionEnded,
    ExcursionStarted,
    ProbeFaultRaised,
    ProbeStaleRaised,
)
from monitor.evaluation.daily import DailySummary, DaySummarised
from monitor.evaluation.event_base import Event
from monitor.journal import Journal, Record, enclosure_day_stream
from monitor.reading import Quality, Reading
from monitor.sheets.days import local_ns

ZONE = "Europe/Paris"
MIN = 60 * NS_PER_S


@dataclass
class SetClock:
    """A clock that stands where the test puts it."""

    now: int
    mono: float = 0.0

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.mono += seconds


@dataclass(frozen=True)
class Excursion:
    """An excursion from ``start_min`` after midnight, ``alarmed`` or not; ``end_min`` None
    goes on past midnight; a negative ``start_min`` began the day before."""

    start_min: int
    end_min: int | None
    worst_c: float
    alarmed: bool = True


@dataclass(frozen=True)
class Day:
    day: date
    min_c: float
    max_c: float
    mean_c: float
    excursions: tuple[Excursion, ...] = ()
    faults: tuple[str, ...] = ()  # probes that went stale (first) or faulty
    extra: dict[str, object] = field(default_factory=dict)
    closed: bool = True  # False: the day's readings only, as before its midnight


def midnight(day: date) -> int:
    return local_ns(day, 0, ZONE)


def close_day(journal: Journal, enclosure: str, spec: Day, probe: str = "F1-air") -> Record | None:
    """Write the day; returns its closing record (None for a day left open)."""
    stream = enclosure_day_stream(enclosure, spec.day)
    start, end = midnight(spec.day), midnight(spec.day + timedelta(days=1))
    events: list[Event] = []
    readings = [Reading(probe, start + at * MIN, value, Quality.OK)
                for value, at in ((spec.min_c, 3 * 60), (spec.max_c, 15 * 60))]  # fmt: skip
    for e in spec.excursions:
        since = start + e.start_min * MIN
        if e.start_min >= 0:
            events.append(ExcursionStarted(since, enclosure, "high", probe, 4.2, 0.0, 4.0))
        if e.alarmed and e.start_min + 10 >= 0:
            events.append(ExcursionAlarmed(since + 10 * MIN, enclosure, since, "high", 5.0,
                                           False, "out of the band", 600.0, 0.0))  # fmt: skip
        if e.end_min is not None:
            span = (e.end_min - e.start_min) * 60.0
            events.append(ExcursionEnded(start + e.end_min * MIN, enclosure, since, span,
                                         e.worst_c, e.alarmed, span, 0.0))  # fmt: skip
    for i, probe_id in enumerate(spec.faults):
        at = start + (600 + i) * MIN
        if i == 0:
            events.append(ProbeStaleRaised(at, probe_id, at - 5 * MIN, 30.0))
        else:
            events.append(ProbeFaultRaised(at, probe_id, None, "open circuit (3276.7)"))
    # In time order, as the daemon writes them: a stamp going back is a finding of verify.
    records: list[Event | Reading] = [*events, *readings]
    for item in sorted(records, key=lambda x: x.ts):
        if isinstance(item, Reading):
            journal.append_reading(stream, item, {"equipment": enclosure})
        else:
            journal.append_event(stream, item.kind, item.fields(), ts=item.ts)
    if not spec.closed:
        return None
    started = sum(1 for e in spec.excursions if e.start_min >= 0)
    alarms = sum(1 for e in spec.excursions if e.alarmed and e.start_min + 10 >= 0)
    summary = DailySummary(spec.day.isoformat(), start, end, 1440, spec.min_c, start + 3 * 60 * MIN,
                           spec.max_c, start + 15 * 60 * MIN, spec.mean_c, 1800.0, 120.0, started,
                           alarms)  # fmt: skip
    closing = DaySummarised(end, enclosure, summary)
    fields = {**closing.fields(), **spec.extra}
    return journal.append_event(stream, closing.kind, fields, ts=end)  # type: ignore[arg-type]
