"""The health of one probe: stale, fault, stuck, calibration overdue; each raised and cleared.

The rules (docs/RULES.md, Cold chain):

- stale: "a silent probe is an alarm of its own (no data for 3 sample periods), never the
  last value repeated": raised when time passes more than ``stale_periods`` sample periods
  after the last reading of any quality (exactly at the limit is not yet stale), cleared by
  the next reading. Only time the input is known complete counts (``heard_until``): while
  the daemon is behind its link, a device's messages wait in a queue and its silence is not
  known beyond the time up to which every message has been read; events are still stamped
  at the machine's own time;
- fault: "a physically impossible value (PT100 open circuit, 3276.7, -200) is a probe
  fault": a reading of quality ``fault`` or with a non-finite value raises it, the next
  usable reading clears it;
- stuck: the identical value (equal floats) for ``stuck_after_s`` or more, between usable
  readings, raises it; a different value clears it (faulty readings neither count nor reset);
- calibration overdue (a warning): "probes carry a calibration due date ... an expired
  calibration is a warning": raised when time passes beyond ``calibration_due_ns``, cleared
  when ``set_calibration_due`` gives a date not yet passed (or None).

A new machine counts silence from its creation time. Order: see ``ordering``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from monitor.evaluation.cold_chain_events import (
    CalibrationOverdueCleared,
    CalibrationOverdueRaised,
    ProbeFaultCleared,
    ProbeFaultRaised,
    ProbeStaleCleared,
    ProbeStaleRaised,
    ProbeStuckCleared,
    ProbeStuckRaised,
)
from monitor.evaluation.event_base import Event
from monitor.evaluation.inputs import Input, Tick
from monitor.evaluation.ordering import reject_out_of_order
from monitor.evaluation.params import ProbeHealthSpec
from monitor.evaluation.state import state_from_dict, state_to_dict
from monitor.evaluation.text import seconds, to_ns
from monitor.reading import Quality, Reading


@dataclass(slots=True)
class ProbeHealthState:
    """Plain data: the last reading's time, the current run of identical values, the flags."""

    now_ts: int
    last_ts: int
    calibration_due_ns: int | None
    seen_ts: dict[str, int] = field(default_factory=dict)
    same_value_c: float | None = None
    same_since_ts: int = 0
    stale: bool = False
    fault: bool = False
    stuck: bool = False
    overdue: bool = False


class ProbeHealth:
    """One probe's health conditions: ``feed``, ``tick``, ``set_calibration_due``, ``step``."""

    __slots__ = ("_out", "_stale_ns", "_stuck_ns", "probe_id", "spec", "state")

    def __init__(
        self,
        probe_id: str,
        spec: ProbeHealthSpec,
        created_ts: int,
        state: ProbeHealthState | None = None,
    ) -> None:
        self.probe_id = probe_id
        self.spec = spec
        self._stale_ns = to_ns(spec.stale_after_s)
        self._stuck_ns = None if spec.stuck_after_s is None else to_ns(spec.stuck_after_s)
        self.state = state or ProbeHealthState(created_ts, created_ts, spec.calibration_due_ns)
        self._out: list[Event] = []

    def snapshot(self) -> dict[str, Any]:
        return state_to_dict(self.state)

    @classmethod
    def restore(cls, probe_id: str, spec: ProbeHealthSpec, data: Mapping[str, Any]) -> Self:
        state = state_from_dict(ProbeHealthState, data)
        return cls(probe_id, spec, state.now_ts, state)

    def step(self, item: Input) -> tuple[Event, ...]:
        if isinstance(item, Reading):
            return self.feed(item)
        if isinstance(item, Tick):
            return self.tick(item.ts)
        return ()

    def feed(self, reading: Reading, heard_until: int | None = None) -> tuple[Event, ...]:
        """One reading of this probe (readings of other probes are ignored); ``heard_until``:
        see ``tick``."""
        s = self.state
        if reading.probe_id != self.probe_id:
            return ()
        rejected = reject_out_of_order(s.seen_ts, reading, self.probe_id, s.now_ts)
        if rejected is not None:
            return (rejected,)
        ts, value, out = reading.ts, reading.value, self._out
        self._advance(ts, heard_until)
        if s.stale:
            s.stale = False
            out.append(ProbeStaleCleared(s.now_ts, self.probe_id, seconds(ts - s.last_ts)))
            s.same_value_c = None  # an identical value after a silence proves nothing stuck
        s.last_ts = max(s.last_ts, ts)
        if reading.quality is Quality.FAULT or not math.isfinite(value):
            if not s.fault:
                s.fault = True
                finite = value if math.isfinite(value) else None
                detail = reading.detail or f"{reading.quality.value} value {value!r}"
                out.append(ProbeFaultRaised(s.now_ts, self.probe_id, finite, detail))
            return self._flush()
        if s.fault:
            s.fault = False
            out.append(ProbeFaultCleared(s.now_ts, self.probe_id, value))
        self._check_stuck(ts, value)
        return self._flush()

    def tick(self, ts: int, heard_until: int | None = None) -> tuple[Event, ...]:
        """Time ``ts`` has come: silence and calibration are checked. ``heard_until``: every
        message of the probe's link is known read up to that time, and silence is judged
        there when it is earlier (None: the input is current)."""
        self._advance(ts, heard_until)
        return self._flush()

    def set_calibration_due(self, ts: int, due_ns: int | None) -> tuple[Event, ...]:
        """A new due date (after a calibration): an overdue warning clears if it no longer holds."""
        if due_ns is not None and (isinstance(due_ns, bool) or not isinstance(due_ns, int)):
            raise ValueError(f"calibration due date must be integer nanoseconds, got {due_ns!r}")
        s = self.state
        s.calibration_due_ns = due_ns
        self._advance(ts)
        if s.overdue and (due_ns is None or s.now_ts <= due_ns):
            s.overdue = False
            self._out.append(CalibrationOverdueCleared(s.now_ts, self.probe_id, due_ns))
        return self._flush()

    # -- rules ------------------------------------------------------------------------------

    def _advance(self, ts: int, heard_until: int | None = None) -> None:
        s = self.state
        if ts > s.now_ts:
            s.now_ts = ts
        now = s.now_ts
        judged = now if heard_until is None or heard_until > now else heard_until
        if not s.stale and judged - s.last_ts > self._stale_ns:
            s.stale = True
            stale_after = self.spec.stale_after_s
            self._out.append(ProbeStaleRaised(now, self.probe_id, s.last_ts, stale_after))
        due = s.calibration_due_ns
        if not s.overdue and due is not None and now > due:
            s.overdue = True
            self._out.append(CalibrationOverdueRaised(now, self.probe_id, due))

    def _check_stuck(self, ts: int, value: float) -> None:
        s = self.state
        if s.same_value_c is None or value != s.same_value_c:
            if s.stuck:
                s.stuck = False
                self._out.append(ProbeStuckCleared(s.now_ts, self.probe_id, value))
            s.same_value_c, s.same_since_ts = value, ts
        elif not s.stuck and self._stuck_ns is not None and ts - s.same_since_ts >= self._stuck_ns:
            s.stuck = True
            self._out.append(ProbeStuckRaised(s.now_ts, self.probe_id, value, s.same_since_ts))

    def _flush(self) -> tuple[Event, ...]:
        out = self._out
        if not out:
            return ()
        events = tuple(out)
        out.clear()
        return events
