"""The pasteurisation cycle: one machine per run of a pasteuriser, readings in, verdict out.

The rules (DOMAIN.md, Pasteurisation; Arrêté 10 Feb 1995 II, VII; Décret 55-771 art. 6):

- the hold is judged on the coldest reference (milk) probe; with none, on the bath (flagged);
- the hold timer runs only while every judged probe's last usable reading is at or above the
  setpoint and no judged probe has been silent longer than the gap limit ("what was not
  measured was not proven"); readings of quality ``fault`` (or not finite) are no evidence,
  like a gap, while ``out_of_range`` ones are plausible values and count;
- a dip below the setpoint, or a gap longer than the limit, restarts the timer from zero
  (policy ``restart``) or fails the cycle (policy ``fail``); a gap exactly at the limit is
  not a gap;
- the hold is complete at the first reading at or above the setpoint that comes the hold
  time or more after the timer started (59:59 is not enough, 60:00 is): a tick never
  completes a hold, a reading proves it;
- the setpoint must be reached within the come-up limit of the start (90 min), and again
  within the same time after an interruption, or the cycle fails;
- the end of the hold is the reading that completed it; from there every judged probe
  (the warmest one decides) must go below the cooling target within the cooling limit
  (< 6 °C within 60 min), or the cycle fails; limits are inclusive (60:00 is in time, 60:01
  is late);
- above setpoint + margin (3 °C) is an overshoot alarm while it lasts.

Time limits are checked when time passes, i.e. at any tick or reading later than the
machine's clock, before that reading is judged. Readings of probes that are not judged (the
bath when milk probes exist) are not part of the judgement and are ignored; so is everything
after the cycle closed. Order: see ``ordering``.
"""

from __future__ import annotations

import math

from monitor.evaluation.cycle_report import CycleReport
from monitor.evaluation.cycle_setup import CycleSetup, CycleState, Phase
from monitor.evaluation.event_base import Event
from monitor.evaluation.events import (
    CoolingCompleted,
    HoldCompleted,
    HoldInterrupted,
    HoldInterruptionEnded,
    HoldStarted,
    OvershootEnded,
    OvershootStarted,
)
from monitor.evaluation.inputs import AbortCycle, Input, Tick
from monitor.evaluation.ordering import reject_out_of_order
from monitor.evaluation.text import seconds
from monitor.evaluation.verdict import Outcome
from monitor.reading import Quality, Reading

_HEATING, _HOLDING, _COOLING = Phase.HEATING, Phase.HOLDING, Phase.COOLING
_FAULT = Quality.FAULT
_isfinite = math.isfinite


class CycleMachine(CycleReport):
    """A cycle's rules as a mutable machine: ``feed``, ``tick``, ``abort``, or ``step(any)``.

    State lives in ``self.state`` (plain data); ``CycleMachine(setup, state)`` resumes a
    restored one. The same inputs in the same order always give the same events.
    """

    __slots__ = (
        "_come_up_ns", "_cool_c", "_cool_ns", "_hold_ns", "_judged", "_n", "_over_c", "_restart",
        "_single",
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
        self._over_c = program.setpoint_c + policy.overshoot_margin_c
        self._restart = policy.hold_policy == "restart"

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
        if s.outcome is None and reading.quality is not _FAULT and _isfinite(value):
            self._judge(reading.probe_id, value, ts)
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
                        self._interrupt("gap", probe_id, None, last)
                        return
            elif (since := s.interrupted_since_ts) is not None and ts - since > self._come_up_ns:
                self._close(Outcome.FAIL, self._late_text("recovery"))
        elif phase is _HEATING:
            if ts - s.started_ts > self._come_up_ns:
                self._close(Outcome.FAIL, self._late_text("come_up"))
        elif phase is _COOLING:
            done = s.hold_completed_ts
            if done is not None and ts - done > self._cool_ns:
                self._close(Outcome.FAIL, self._late_text("cooling"))

    def _judge(self, probe_id: str, value: float, ts: int) -> None:
        """One usable reading of a judged probe, at ``ts``."""
        s = self.state
        s.evidence_ts[probe_id] = ts
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
        elif s.hold_started_ts is None:  # heating, or a broken hold waiting to restart
            if coldest >= self._sp:
                if self._single or self._all_fresh(ts):
                    self._start_hold(ts, coldest)
            elif s.interrupted_since_ts is not None:
                lowest = s.interruption_lowest_c
                if lowest is None or coldest < lowest:
                    s.interruption_lowest_c = coldest
        elif coldest < self._sp:
            self._interrupt("dip", self._coldest_probe(), coldest, ts)
        elif ts - s.hold_started_ts >= self._hold_ns:
            s.hold_completed_ts = ts
            s.phase = _COOLING
            held = seconds(ts - s.hold_started_ts)
            self._emit(
                HoldCompleted(s.now_ts, self.setup.cycle_id, s.hold_started_ts, held, coldest)
            )

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

    def _interrupt(self, cause: str, probe_id: str, value: float | None, since: int) -> None:
        s = self.state
        started = s.hold_started_ts if s.hold_started_ts is not None else since
        held_ns = max(0, since - started)
        s.hold_started_ts = None
        s.plateau_open = False
        s.interrupted_since_ts = since
        s.interruption_cause = cause
        s.interruption_lowest_c = value
        reason = self._interruption_text(probe_id, value, since, held_ns)
        self._emit(
            HoldInterrupted(
                s.now_ts, self.setup.cycle_id, cause, probe_id, value, since,
                seconds(held_ns), reason,
            )
        )  # fmt: skip
        if self._restart:
            s.hold_restarts += 1
        else:
            self._close(Outcome.FAIL, f"{reason} (hold policy 'fail')")

    def _end_interruption(self, recovered: bool) -> None:
        s = self.state
        since = s.interrupted_since_ts
        assert since is not None
        self._emit(
            HoldInterruptionEnded(
                s.now_ts, self.setup.cycle_id, s.interruption_cause, since,
                s.interruption_lowest_c, seconds(max(0, s.now_ts - since)), recovered,
            )
        )  # fmt: skip
        s.interrupted_since_ts = None
        s.interruption_cause = ""
        s.interruption_lowest_c = None

    def _overshoot(self, ts: int, warmest: float) -> None:
        s = self.state
        since = s.overshoot_since_ts
        if warmest > self._over_c:
            if since is None:
                s.overshoot_since_ts, s.overshoot_peak_c = ts, warmest
                s.overshoots += 1
                probe = max(s.latest_c, key=s.latest_c.__getitem__)
                self._emit(
                    OvershootStarted(s.now_ts, self.setup.cycle_id, probe, warmest, self._over_c)
                )
            elif warmest > s.overshoot_peak_c:
                s.overshoot_peak_c = warmest
        else:
            self._end_overshoot()

    def _end_overshoot(self) -> None:
        s = self.state
        since = s.overshoot_since_ts
        assert since is not None
        duration = seconds(max(0, s.now_ts - since))
        self._emit(
            OvershootEnded(s.now_ts, self.setup.cycle_id, since, s.overshoot_peak_c, duration)
        )
        s.overshoot_since_ts = None

    def _cooled(self, ts: int, warmest: float) -> None:
        s = self.state
        assert s.hold_completed_ts is not None
        s.cooled_ts = ts
        cooling = seconds(max(0, ts - s.hold_completed_ts))
        self._emit(CoolingCompleted(s.now_ts, self.setup.cycle_id, warmest, cooling))
        self._close(Outcome.PASS, None)

    def _close(self, outcome: Outcome, reason: str | None) -> None:
        s = self.state
        if s.interrupted_since_ts is not None:
            self._end_interruption(recovered=False)
        if s.overshoot_since_ts is not None:
            self._end_overshoot()
        s.phase = Phase.ABORTED if outcome is Outcome.ABORTED else Phase.CLOSED
        s.outcome = outcome.value
        s.closed_ts = s.now_ts
        if reason is not None:
            s.reasons.append(reason)
        self._emit(self.closing_event())
