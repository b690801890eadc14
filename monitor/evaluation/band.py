"""The cold-chain band: one machine per fridge or freezer, readings in, excursions out.

The rules (docs/RULES.md, Cold chain; Arrêté 1995 V, VI, VIII; Arrêté 13 Jul 2012 art. 5):

- the band is inclusive (fridge 0..+4 °C: 4.0 is in, 4.01 is out; freezer <= -18 °C, no
  lower bound); with several probes, the warmest and the coldest last values are judged;
- an excursion starts at the first usable reading out of the band (``ExcursionStarted``) and
  raises the alarm once it has lasted the delay (10 min fridge, 20 min freezer: delay - 1 s
  is not enough, the delay is) in measured time, checked whenever a tick or a reading comes;
- silence is its own condition (C7, lactamon): a usable reading covers the time until its
  probe's next reading, at most ``coverage_s`` (the probe's stale limit; a faulty reading
  ends it); time no reading covers never advances the delay, the stale alarm (F4) covers it.
  In an excursion, time is measured while a covered probe shows it still open (not back by
  the deadband); out of one, while every probe is covered. Readings back still out of band
  continue the delay from the measured time; records keep the two kinds of time apart;
- a reading beyond a gross limit (fridge > 8 °C or < 0 °C, freezer > -10 °C) alarms at once;
- the excursion ends only when every probe is back inside the band by the deadband
  (0.5 °C: a fridge is back at 3.5 °C, not at 3.9 °C), so values hovering at a bound do not
  flap; the end clears the alarm;
- the daily sheet (``daily``) counts samples, extremes, mean, measured time in excursions
  and unmeasured time; a ``NewDay`` input closes the day and starts the next.

Readings of quality ``fault`` are no evidence (probe health reports them); readings of other
probes are not this enclosure's and are ignored. Order: see ``ordering``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from monitor.evaluation.cold_chain_events import ExcursionAlarmed, ExcursionEnded, ExcursionStarted
from monitor.evaluation.daily import DailySummary, DayStats, DaySummarised
from monitor.evaluation.event_base import Event
from monitor.evaluation.inputs import Input, NewDay, Tick
from monitor.evaluation.ordering import reject_out_of_order
from monitor.evaluation.params import BandSpec
from monitor.evaluation.state import state_from_dict, state_to_dict
from monitor.evaluation.text import celsius, clock_text, seconds, to_ns
from monitor.reading import Quality, Reading

_FAULT = Quality.FAULT
_isfinite = math.isfinite
_INF = math.inf


@dataclass(slots=True)
class BandState:
    """Plain data: last values per probe, the open excursion (if any), the day's figures.

    ``covered_until_ts`` is, per probe, the end of what its last usable reading vouches for;
    ``measured_out_ns`` and ``unmeasured_out_ns`` split the open excursion's time.
    """

    now_ts: int
    day: DayStats
    seen_ts: dict[str, int] = field(default_factory=dict)
    latest_c: dict[str, float] = field(default_factory=dict)
    since_ts: int | None = None
    side: str = ""
    alarmed: bool = False
    worst_c: float = 0.0
    worst_by_c: float = 0.0
    covered_until_ts: dict[str, int] = field(default_factory=dict)
    measured_out_ns: int = 0
    unmeasured_out_ns: int = 0


class BandMachine:
    """One enclosure's band: ``feed``, ``tick``, ``new_day``, or ``step(any)``."""

    __slots__ = (
        "_back_high", "_back_low", "_coverage_ns", "_delay_ns", "_gross_high", "_gross_low",
        "_high", "_low", "_out", "_probes", "_single", "enclosure_id", "spec", "state",
    )  # fmt: skip

    def __init__(
        self,
        enclosure_id: str,
        spec: BandSpec,
        probe_ids: Iterable[str],
        day: str,
        start_ts: int,
        state: BandState | None = None,
    ) -> None:
        self.enclosure_id = enclosure_id
        self.spec = spec
        self._probes = frozenset(probe_ids)
        if not self._probes:
            raise ValueError(f"enclosure {enclosure_id}: the band needs a probe")
        self._single = len(self._probes) == 1
        self._high = spec.high_c
        self._low = -_INF if spec.low_c is None else spec.low_c
        self._back_high = spec.high_c - spec.deadband_c
        self._back_low = self._low + spec.deadband_c
        self._gross_high = _INF if spec.gross_high_c is None else spec.gross_high_c
        self._gross_low = -_INF if spec.gross_low_c is None else spec.gross_low_c
        self._delay_ns = to_ns(spec.delay_s)
        self._coverage_ns = to_ns(spec.coverage_s)
        self.state = state or BandState(start_ts, DayStats(day, start_ts))
        self._out: list[Event] = []

    def snapshot(self) -> dict[str, Any]:
        return state_to_dict(self.state)

    @classmethod
    def restore(
        cls, enclosure_id: str, spec: BandSpec, probe_ids: Iterable[str], data: Mapping[str, Any]
    ) -> Self:
        state = state_from_dict(BandState, data, {"day": DayStats})
        return cls(enclosure_id, spec, probe_ids, state.day.day, state.now_ts, state)

    @property
    def in_excursion(self) -> bool:
        return self.state.since_ts is not None

    def day_summary(self) -> DailySummary:
        """The current day's figures up to the machine's clock."""
        s = self.state
        return s.day.summary(s.now_ts)

    # -- inputs -----------------------------------------------------------------------------

    def step(self, item: Input) -> tuple[Event, ...]:
        if isinstance(item, Reading):
            return self.feed(item)
        if isinstance(item, Tick):
            return self.tick(item.ts)
        if isinstance(item, NewDay):
            return self.new_day(item.ts, item.day)
        return ()

    def feed(self, reading: Reading) -> tuple[Event, ...]:
        s = self.state
        probe_id = reading.probe_id
        if probe_id not in self._probes:
            return ()
        rejected = reject_out_of_order(s.seen_ts, reading, self.enclosure_id, s.now_ts)
        if rejected is not None:
            return (rejected,)
        ts = reading.ts
        if ts > s.now_ts:
            self._advance(ts)
        value = reading.value
        covered = s.covered_until_ts
        if reading.quality is _FAULT or not _isfinite(value):
            # The probe says it cannot measure: its last value no longer vouches from here.
            if covered.get(probe_id, ts) > ts:
                covered[probe_id] = ts
            return self._flush()
        covered[probe_id] = ts + self._coverage_ns
        s.day.add(ts, value)
        latest = s.latest_c
        latest[probe_id] = value
        if self._single:
            warmest = coldest = value
        else:
            warmest, coldest = max(latest.values()), min(latest.values())
        if s.since_ts is None:
            if warmest > self._high or coldest < self._low:
                self._start(ts, probe_id, warmest, coldest)
        else:
            self._follow(warmest, coldest)
        return self._flush()

    def tick(self, ts: int) -> tuple[Event, ...]:
        """Time ``ts`` has come: a pending excursion alarms once it has been measured out of
        band for the delay."""
        if ts <= self.state.now_ts:
            return ()
        self._advance(ts)
        return self._flush()

    def new_day(self, ts: int, day: str) -> tuple[Event, ...]:
        """Close the current day at ``ts`` (its ``DaySummarised``) and start ``day``.

        Call it at the boundary, before any reading stamped after it: the figures of a reading
        belong to the day that is open when it is fed.
        """
        if ts > self.state.now_ts:
            self.tick(ts)
        s = self.state
        end = max(ts, s.day.start_ts)
        summary = s.day.summary(end)
        s.day = DayStats(day, end)
        self._out.append(DaySummarised(s.now_ts, self.enclosure_id, summary))
        return self._flush()

    # -- rules ------------------------------------------------------------------------------

    def _advance(self, ts: int) -> None:
        """Time passes from the clock to ``ts``: count it measured or not, then the delay.

        Every probe's coverage starts at or before the clock, so what is covered of the span
        is a prefix of it: the span is measured up to the latest end of a coverage that
        counts (C7).
        """
        s = self.state
        start, s.now_ts = s.now_ts, ts
        span, covered, day = ts - start, s.covered_until_ts, s.day
        if s.since_ts is None:
            known = len(covered) == len(self._probes)
            measured = max(0, min(min(covered.values()), ts) - start) if known else 0
            day.unmeasured_ns += span - measured
            return
        until = start
        for probe_id, value in s.latest_c.items():
            if value > self._back_high or value < self._back_low:
                until = max(until, covered.get(probe_id, start))
        measured = min(until, ts) - start
        s.measured_out_ns += measured
        s.unmeasured_out_ns += span - measured
        day.out_of_band_ns += measured
        day.unmeasured_ns += span - measured
        if not s.alarmed:
            self._check_delay()

    def _start(self, ts: int, probe_id: str, warmest: float, coldest: float) -> None:
        s = self.state
        high = warmest > self._high
        s.since_ts, s.side, s.alarmed = ts, "high" if high else "low", False
        s.measured_out_ns = s.unmeasured_out_ns = 0
        s.worst_c = warmest if high else coldest
        s.worst_by_c = warmest - self._high if high else self._low - coldest
        s.day.excursions += 1
        started = ExcursionStarted(
            s.now_ts, self.enclosure_id, s.side, probe_id, s.worst_c, self.spec.low_c, self._high
        )
        self._out.append(started)
        if warmest > self._gross_high or coldest < self._gross_low:
            self._alarm(gross=True)
        else:
            self._check_delay()

    def _follow(self, warmest: float, coldest: float) -> None:
        """An excursion is open: track its worst value, alarm if gross, end when back."""
        s = self.state
        if warmest - self._high > s.worst_by_c:
            s.worst_c, s.worst_by_c = warmest, warmest - self._high
        if self._low - coldest > s.worst_by_c:
            s.worst_c, s.worst_by_c = coldest, self._low - coldest
        if not s.alarmed and (warmest > self._gross_high or coldest < self._gross_low):
            self._alarm(gross=True)
        if warmest <= self._back_high and coldest >= self._back_low:
            self._end()

    def _check_delay(self) -> None:
        if self.state.measured_out_ns >= self._delay_ns:
            self._alarm(gross=False)

    def _alarm(self, gross: bool) -> None:
        s = self.state
        assert s.since_ts is not None
        s.alarmed = True
        s.day.alarms += 1
        latest = s.latest_c.values()
        value = max(latest) if s.side == "high" else min(latest)
        spec = self.spec
        if gross:
            reason = f"{celsius(s.worst_c)} is beyond the gross limit: alarm at once"
        else:
            low = "" if spec.low_c is None else f"{spec.low_c:g}.."
            lasted = clock_text(s.measured_out_ns)
            worst = celsius(s.worst_c)
            reason = f"out of the band {low}{spec.high_c:g} °C for {lasted} (worst {worst})"
            if s.unmeasured_out_ns:
                reason += f", not counting {clock_text(s.unmeasured_out_ns)} without data"
        measured, unmeasured = seconds(s.measured_out_ns), seconds(s.unmeasured_out_ns)
        self._out.append(
            ExcursionAlarmed(
                s.now_ts, self.enclosure_id, s.since_ts, s.side, value, gross, reason, measured,
                unmeasured,
            )
        )  # fmt: skip

    def _end(self) -> None:
        s = self.state
        since = s.since_ts
        assert since is not None
        duration = seconds(max(0, s.now_ts - since))
        measured, unmeasured = seconds(s.measured_out_ns), seconds(s.unmeasured_out_ns)
        self._out.append(
            ExcursionEnded(
                s.now_ts, self.enclosure_id, since, duration, s.worst_c, s.alarmed, measured,
                unmeasured,
            )
        )  # fmt: skip
        s.since_ts, s.side, s.alarmed = None, "", False
        s.measured_out_ns = s.unmeasured_out_ns = 0

    def _flush(self) -> tuple[Event, ...]:
        out = self._out
        if not out:
            return ()
        events = tuple(out)
        out.clear()
        return events
