"""The pasteurisation cycle: one machine per run of a pasteuriser, readings in, verdict out.

The rules (docs/RULES.md, Pasteurisation and How the hold is read from real probes; Arrêté
10 Feb 1995 II, VII; Décret 55-771 art. 6):

- the hold is judged on the coldest reference (milk) probe; with none, on the bath (P6);
- the hold timer runs only while every judged probe's last usable reading is at or above the
  setpoint and no judged probe has been silent longer than the gap limit (H1, H3: "what was
  not measured was not proven"); readings of quality ``fault`` (or not finite) are no
  evidence, like a gap, which is then a probe fault, while ``out_of_range`` ones are
  plausible values and count (H4);
- a dip below the setpoint, a gap longer than the limit or a probe fault restarts the timer
  from zero (policy ``restart``) or fails the cycle (policy ``fail``), and is an alarm of its
  own (H2); a gap exactly at the limit is not a gap;
- the hold settles (H6): a dip within ``settle_s`` (120 s) of the coldest milk probe's first
  crossing of the setpoint is the probe levelling off (63.0, 62.9, 63.0 in tenths): it
  restarts the timer and is recorded (``HoldSettling``), with no alarm and no failure;
- the hold is complete at the first reading at or above the setpoint that comes the hold
  time or more after the timer started (H5: 59:59 is not enough, 60:00 is): a tick never
  completes a hold, a reading proves it;
- milk whose coldest judged probe falls below the setpoint minus ``cooling_fail_margin_c``
  (5 °C) before a complete hold has cooled: the cycle fails at once (H7); heating it again
  is a new cycle;
- the setpoint must be reached within the come-up limit of the start (90 min), and again
  within the same time after an interruption, or the cycle fails (P11);
- the end of the hold is the reading that completed it; from there every judged probe
  (the warmest one decides) must go below the cooling target within the cooling limit
  (< 6 °C within 60 min), or the cycle fails; limits are inclusive (60:00 is in time, 60:01
  is late) (P10);
- a failed cycle's verdict names its cause, then every interruption, the first one first
  (H7; words in ``cycle_reasons``); overshoot (P9) and a slow come-up are alarms that decide
  nothing (``cycle_alerts``).

Time limits are checked when time passes, i.e. at any tick or reading later than the
machine's clock, before that reading is judged. Readings of probes that are not judged (the
bath when milk probes exist) are not part of the judgement and are ignored; so is everything
after the cycle closed. Order: see ``ordering``.
"""

from __future__ import annotations

import math

from monitor.evaluation.cycle_breaks import CycleBreaks
from monitor.evaluation.cycle_reasons import cooled_text, dip_what, late_text
from monitor.evaluation.cycle_setup import CycleSetup, CycleState, Phase
from monitor.evaluation.event_base import Event
from monitor.evaluation.events import CoolingCompleted, HoldCompleted, HoldStarted
from monitor.evaluation.inputs import AbortCycle, Input, Tick
from monitor.evaluation.ordering import reject_out_of_order
from monitor.evaluation.text import seconds
from monitor.evaluation.verdict import Outcome
from monitor.reading import Quality, Reading

_HEATING, _HOLDING, _COOLING = Phase.HEATING, Phase.HOLDING, Phase.COOLING
_FAULT = Quality.FAULT
_isfinite = math.isfinite


class CycleMachine(CycleBreaks):
    """A cycle's rules as a mutable machine: ``feed``, ``tick``, ``abort``, or ``step(any)``.

    State lives in ``self.state`` (plain data); ``CycleMachine(setup, state)`` resumes a
    restored one. The same inputs in the same order always give the same events.
    """

    __slots__ = (
        "_come_up_ns", "_cool_c", "_cool_ns", "_cooled_c", "_hold_ns", "_judged", "_n", "_single",
    )  # fmt: skip

    def __init__(self, setup: CycleSetup, state: CycleState | None = None) -> None:
        super().__init__(setup, state or CycleState(setup.started_ts))
        program, policy = setup.program, setup.policy
        self._judged = frozenset(setup.probes.judged_ids)
        self._n = len(self._judged)
        self._single = self._n == 1
        self._hold_ns = self._ns(program.hold_s)
        self._come_up_ns = self._ns(policy.come_up_limit_s)
        self._cool_ns = self._ns(policy.cooling_limit_s)
        self._cool_c = policy.cooling_target_c
        self._cooled_c = program.setpoint_c - policy.cooling_fail_margin_c

    # -- inputs -----------------------------------------------------------------------------

    def step(self, item: Input) -> tuple[Event, ...]:
        if isinstance(item, Reading):
            return self.feed(item)
        if isinstance(item, Tick):
            return self.tick(item.ts)
        if isinstance(item, AbortCycle):
            return self.abort(item.ts, item.user, item.reason)
        return ()

    def feed(self, reading: Reading) -> tuple[Event, ...]:
        """Judge one reading; time first passes to its stamp (limits may expire)."""
        s = self.state
        if s.outcome is not None or reading.probe_id not in self._judged:
            return ()
        rejected = reject_out_of_order(
            s.seen_ts, reading, self.setup.cycle_id, s.now_ts, self.setup.started_ts
        )
        if rejected is not None:
            return (rejected,)
        out = self._out
        ts = reading.ts
        if ts > s.now_ts:
            self._advance(ts)
        value = reading.value
        if s.outcome is None:
            if reading.quality is not _FAULT and _isfinite(value):
                self._judge(reading.probe_id, value, ts)
            elif reading.probe_id not in s.fault_detail:
                # No evidence (H4); should the silence become a gap, this fault is its cause.
                detail = reading.detail or f"{reading.quality.value} value {value!r}"
                s.fault_detail[reading.probe_id] = detail
        return self._flush() if out else ()

    def tick(self, ts: int) -> tuple[Event, ...]:
        """Time ``ts`` has come: gaps and time limits are checked; older ticks change nothing."""
        if self.state.outcome is not None or ts <= self.state.now_ts:
            return ()
        self._advance(ts)
        return self._flush()

    def abort(self, ts: int, user: str, reason: str) -> tuple[Event, ...]:
        """A user stops the cycle (after any limit that expired before ``ts``).

        A cycle that already closed stays as it is: the abort gives no event.
        """
        s = self.state
        if s.outcome is not None:
            return ()
        if ts > s.now_ts:
            self._advance(ts)
        if s.outcome is None:
            self._close(Outcome.ABORTED, f"aborted by {user}: {reason}")
        return self._flush()

    # -- rules ------------------------------------------------------------------------------

    def _advance(self, ts: int) -> None:
        """Time passes to ``ts`` (> the clock): gaps in a running hold, then time limits."""
        s = self.state
        s.now_ts = ts
        phase = s.phase
        if phase is _HOLDING:
            if s.hold_started_ts is not None:
                for probe_id, last in s.evidence_ts.items():
                    if ts - last > self._gap_ns:
                        self._silence(probe_id, last)
                        return
            elif (since := s.interrupted_since_ts) is not None and ts - since > self._come_up_ns:
                self._close(Outcome.FAIL, late_text(self.setup, s, "recovery"))
        elif phase is _HEATING:
            elapsed = ts - s.started_ts
            if elapsed > self._come_up_ns:
                self._close(Outcome.FAIL, late_text(self.setup, s, "come_up"))
            else:
                self._watch_come_up(elapsed)
        elif phase is _COOLING:
            done = s.hold_completed_ts
            if done is not None and ts - done > self._cool_ns:
                self._close(Outcome.FAIL, late_text(self.setup, s, "cooling"))

    def _judge(self, probe_id: str, value: float, ts: int) -> None:
        """One usable reading of a judged probe, at ``ts``."""
        s = self.state
        s.evidence_ts[probe_id] = ts
        if s.fault_detail:
            s.fault_detail.pop(probe_id, None)
        if s.interruption_probe == probe_id and s.interruption_back_ts is None:
            s.interruption_back_ts = ts  # a gap's or a fault's length, for the verdict
        latest = s.latest_c
        latest[probe_id] = value
        if self._single:
            coldest = warmest = value
        elif len(latest) < self._n:
            return  # the coldest probe is unknown until every judged probe has spoken
        else:
            coldest, warmest = min(latest.values()), max(latest.values())
        self._measure(ts, coldest, warmest)
        if warmest > self._over_c or s.overshoot_since_ts is not None:
            self._overshoot(ts, warmest)
        phase = s.phase
        if phase is _COOLING:
            if warmest < self._cool_c:
                self._cooled(ts, warmest)
            return
        if s.hold_started_ts is None:  # heating, or a broken hold waiting to restart
            if coldest >= self._sp:
                if self._single or self._all_fresh(ts):
                    self._start_hold(ts, coldest)
            elif s.interrupted_since_ts is not None:
                lowest = s.interruption_lowest_c
                if lowest is None or coldest < lowest:
                    s.interruption_lowest_c = coldest
        elif coldest < self._sp:
            probe = self._coldest_probe()
            self._interrupt("dip", probe, coldest, ts, dip_what(probe, coldest, self._sp))
        elif ts - s.hold_started_ts >= self._hold_ns:
            s.hold_completed_ts = ts
            s.phase = _COOLING
            held = seconds(ts - s.hold_started_ts)
            self._emit(
                HoldCompleted(s.now_ts, self.setup.cycle_id, s.hold_started_ts, held, coldest)
            )
            return
        if s.phase is _HOLDING and coldest < self._cooled_c:
            margin = self.setup.policy.cooling_fail_margin_c
            reason = cooled_text(self._coldest_probe(), coldest, self._sp, margin)
            self._close(Outcome.FAIL, reason)

    def _all_fresh(self, ts: int) -> bool:
        s = self.state
        if len(s.evidence_ts) < self._n:
            return False
        gap = self._gap_ns
        return all(ts - last <= gap for last in s.evidence_ts.values())

    def _start_hold(self, ts: int, coldest: float) -> None:
        s = self.state
        if s.interrupted_since_ts is not None:
            self._end_interruption(recovered=True)
        if s.come_up_slow_since_ts is not None:
            self._end_come_up_slow(reached=True)
        s.hold_attempts += 1
        s.hold_started_ts = ts
        s.phase = _HOLDING
        if s.setpoint_reached_ts is None:
            s.setpoint_reached_ts = ts
        s.plateau_started_ts = s.plateau_last_ts = ts
        s.plateau_open = True
        s.hold_min_c = coldest
        s.hold_max_c = max(s.latest_c.values())
        self._emit(HoldStarted(s.now_ts, self.setup.cycle_id, coldest, s.hold_attempts))

    def _cooled(self, ts: int, warmest: float) -> None:
        s = self.state
        assert s.hold_completed_ts is not None
        s.cooled_ts = ts
        cooling = seconds(max(0, ts - s.hold_completed_ts))
        self._emit(CoolingCompleted(s.now_ts, self.setup.cycle_id, warmest, cooling))
        self._close(Outcome.PASS, None)
