"""What a cycle tells people: its events, the curve figures it measures, and its verdict.

The rules that move a cycle are in ``cycle`` (its alarms that decide nothing in
``cycle_alerts``, its words in ``cycle_reasons``); this base class holds the machine's data
and turns it into ``CycleMetrics`` and a ``CycleVerdict`` (docs/RULES.md, Pasteurisation,
P12, what an inspector reads on a curve: come-up time to 58 °C and to the setpoint, plateau
length, extremes during the plateau, time above 58 °C, time to cool; Buffin et al. 2017,
EMBA 2019).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from monitor.evaluation.cycle_setup import CycleSetup, CycleState, Phase
from monitor.evaluation.event_base import Event
from monitor.evaluation.events import CycleAborted, CycleClosed, CycleFailed, CyclePassed
from monitor.evaluation.state import state_from_dict, state_to_dict
from monitor.evaluation.text import seconds, to_ns
from monitor.evaluation.verdict import CycleMetrics, CycleVerdict, Outcome

_CLOSING: dict[Outcome, type[CycleClosed]] = {
    Outcome.PASS: CyclePassed,
    Outcome.FAIL: CycleFailed,
    Outcome.ABORTED: CycleAborted,
}


class CycleReport:
    """A cycle's setup and state, its measured figures and its verdict."""

    __slots__ = ("_gap_ns", "_mark_c", "_out", "_sp", "setup", "state")

    def __init__(self, setup: CycleSetup, state: CycleState) -> None:
        self.setup = setup
        self.state = state
        self._sp = setup.program.setpoint_c
        self._gap_ns = to_ns(setup.policy.gap_limit_s)
        self._mark_c = setup.policy.inspection_mark_c
        self._out: list[Event] = []

    @staticmethod
    def _ns(duration_s: float) -> int:
        return to_ns(duration_s)

    @property
    def phase(self) -> Phase:
        return self.state.phase

    @property
    def closed(self) -> bool:
        """True once the cycle passed, failed or was aborted: it takes no more input."""
        return self.state.outcome is not None

    def snapshot(self) -> dict[str, Any]:
        """The state as plain, JSON-friendly data."""
        return state_to_dict(self.state)

    @classmethod
    def restore(cls, setup: CycleSetup, data: Mapping[str, Any]) -> Self:
        """A machine that resumes from ``snapshot()`` data."""
        return cls(setup, state_from_dict(CycleState, data))

    def _emit(self, event: Event) -> None:
        self._out.append(event)

    def _flush(self) -> tuple[Event, ...]:
        """The events of the last input, in order; the buffer is reused."""
        out = self._out
        if not out:
            return ()
        events = tuple(out)
        out.clear()
        return events

    # -- figures ----------------------------------------------------------------------------

    def _measure(self, ts: int, coldest: float, warmest: float) -> None:
        """Update the curve figures with one judged instant (all judged probes known)."""
        s = self.state
        last, mark = s.last_eval_ts, self._mark_c
        if last is None or ts > last:
            if (
                last is not None
                and coldest >= mark
                and s.last_coldest_c >= mark
                and ts - last <= self._gap_ns
            ):
                s.above_mark_ns += ts - last
            s.last_eval_ts, s.last_coldest_c = ts, coldest
        if s.mark_reached_ts is None and coldest >= mark:
            s.mark_reached_ts = ts
        if s.plateau_open:
            plateau_last = s.plateau_last_ts
            assert plateau_last is not None
            assert s.hold_min_c is not None
            assert s.hold_max_c is not None
            if coldest >= self._sp and ts - plateau_last <= self._gap_ns:
                if ts > plateau_last:
                    s.plateau_last_ts = ts
                if coldest < s.hold_min_c:
                    s.hold_min_c = coldest
                if warmest > s.hold_max_c:
                    s.hold_max_c = warmest
            else:
                s.plateau_open = False

    def metrics(self) -> CycleMetrics:
        """The figures so far (final once the cycle is closed)."""
        s = self.state

        def since_start(ts: int | None) -> float | None:
            return None if ts is None else seconds(ts - s.started_ts)

        plateau = None
        if s.plateau_started_ts is not None and s.plateau_last_ts is not None:
            plateau = seconds(s.plateau_last_ts - s.plateau_started_ts)
        cooling = None
        if s.cooled_ts is not None and s.hold_completed_ts is not None:
            cooling = seconds(max(0, s.cooled_ts - s.hold_completed_ts))
        return CycleMetrics(
            to_mark_s=since_start(s.mark_reached_ts),
            to_setpoint_s=since_start(s.setpoint_reached_ts),
            plateau_s=plateau,
            hold_min_c=s.hold_min_c,
            hold_max_c=s.hold_max_c,
            above_mark_s=seconds(s.above_mark_ns),
            hold_restarts=s.hold_restarts,
            overshoots=s.overshoots,
            cooling_s=cooling,
        )

    @property
    def verdict(self) -> CycleVerdict | None:
        """The verdict once the cycle is closed, else None."""
        s = self.state
        if s.outcome is None or s.closed_ts is None:
            return None
        su = self.setup
        return CycleVerdict(
            outcome=Outcome(s.outcome),
            reasons=tuple(s.reasons),
            program=su.program.name,
            setpoint_c=su.program.setpoint_c,
            hold_required_s=su.program.hold_s,
            judged_on_bath=su.probes.judged_on_bath,
            started_ts=s.started_ts,
            closed_ts=s.closed_ts,
            hold_started_ts=s.plateau_started_ts,
            hold_completed_ts=s.hold_completed_ts,
            cooled_ts=s.cooled_ts,
            metrics=self.metrics(),
        )

    def closing_event(self) -> CycleClosed:
        """The record of the end: ``CyclePassed``, ``CycleFailed`` or ``CycleAborted``."""
        verdict = self.verdict
        if verdict is None:
            raise ValueError(f"cycle {self.setup.cycle_id} is still open")
        return _CLOSING[verdict.outcome](self.state.now_ts, self.setup.cycle_id, verdict)

    def _coldest_probe(self) -> str:
        latest = self.state.latest_c
        return min(latest, key=latest.__getitem__)
