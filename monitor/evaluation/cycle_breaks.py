"""How a hold breaks and how a cycle closes: dips, gaps, probe faults, settling, verdict.

The rules (docs/RULES.md, How the hold is read from real probes; Décret 55-771 art. 6):

- a dip below the setpoint, a silence longer than the gap limit (H3) or a probe fault (only
  faulty readings since the last valid one, H4) breaks the hold: the timer restarts from
  zero under policy ``restart``, the cycle fails under ``fail`` (H2); each is an alarm of
  its own, ``HoldInterrupted``, whose text the alarm's history keeps;
- a dip within ``settle_s`` of the coldest milk probe's first crossing of the setpoint is the
  probe levelling off (H6): it restarts the timer and is recorded (``HoldSettling``), with
  no alarm and, under either policy, no failure;
- every interruption is kept (``CycleState.interruptions``), so that a failed cycle's
  verdict names its cause, then each interruption, the first one first (H7).
"""

from __future__ import annotations

from monitor.evaluation.cycle_alerts import CycleAlerts
from monitor.evaluation.cycle_reasons import (
    fail_policy_text,
    fault_what,
    gap_what,
    interruption_text,
    settling_text,
    verdict_entry,
)
from monitor.evaluation.cycle_setup import CycleSetup, CycleState, Phase
from monitor.evaluation.events import HoldInterrupted, HoldInterruptionEnded, HoldSettling
from monitor.evaluation.text import seconds
from monitor.evaluation.verdict import Outcome


class CycleBreaks(CycleAlerts):
    """The interruptions of one cycle's hold, and its closing with a verdict."""

    __slots__ = ("_restart", "_settle_ns")

    def __init__(self, setup: CycleSetup, state: CycleState) -> None:
        super().__init__(setup, state)
        self._settle_ns = self._ns(setup.policy.settle_s)
        self._restart = setup.policy.hold_policy == "restart"

    def _silence(self, probe_id: str, last: int) -> None:
        """A judged probe gave no usable reading for more than the gap limit (H3, H4)."""
        detail = self.state.fault_detail.get(probe_id)
        if detail is None:
            self._interrupt("gap", probe_id, None, last, gap_what(probe_id, self._gap_ns))
        else:
            what = fault_what(probe_id, detail, self._gap_ns)
            self._interrupt("fault", probe_id, None, last, what)

    def _interrupt(
        self, cause: str, probe_id: str, value: float | None, since: int, what: str
    ) -> None:
        s = self.state
        started = s.hold_started_ts if s.hold_started_ts is not None else since
        held_ns = max(0, since - started)
        first = s.setpoint_reached_ts
        settling = cause == "dip" and first is not None and since - first <= self._settle_ns
        s.hold_started_ts = None
        s.plateau_open = False
        s.interrupted_since_ts = since
        s.interruption_cause = cause
        s.interruption_lowest_c = value
        at_ns, cycle_id, held = since - s.started_ts, self.setup.cycle_id, seconds(held_ns)
        if settling:
            assert value is not None
            reason = settling_text(at_ns, held_ns, what, self._settle_ns)
            settle_s = self.setup.policy.settle_s
            self._emit(
                HoldSettling(s.now_ts, cycle_id, probe_id, value, since, held, settle_s, reason)
            )
        else:
            reason = interruption_text(at_ns, held_ns, what)
            self._emit(
                HoldInterrupted(s.now_ts, cycle_id, cause, probe_id, value, since, held, reason)
            )
        s.interruption_probe, s.interruption_value_c = probe_id, value
        s.interruption_text, s.interruption_settling = reason, settling
        s.interruption_back_ts = None
        if self._restart or settling:
            s.hold_restarts += 1
        else:
            self._close(Outcome.FAIL, fail_policy_text(at_ns))

    def _end_interruption(self, recovered: bool) -> None:
        s = self.state
        since = s.interrupted_since_ts
        assert since is not None
        s.interruptions.append(
            {
                "text": s.interruption_text, "cause": s.interruption_cause,
                "probe": s.interruption_probe, "value_c": s.interruption_value_c,
                "lowest_c": s.interruption_lowest_c, "since_ts": since,
                "back_ts": s.interruption_back_ts, "settling": s.interruption_settling,
            }
        )  # fmt: skip
        if not s.interruption_settling:  # a settling dip raised nothing: nothing to clear
            self._emit(
                HoldInterruptionEnded(
                    s.now_ts, self.setup.cycle_id, s.interruption_cause, since,
                    s.interruption_lowest_c, seconds(max(0, s.now_ts - since)), recovered,
                )
            )  # fmt: skip
        s.interrupted_since_ts = None
        s.interruption_cause = ""
        s.interruption_lowest_c = None
        s.interruption_probe, s.interruption_value_c = "", None
        s.interruption_text, s.interruption_settling = "", False
        s.interruption_back_ts = None

    def _close(self, outcome: Outcome, reason: str | None) -> None:
        s = self.state
        if s.interrupted_since_ts is not None:
            self._end_interruption(recovered=False)
        self._end_alerts()
        s.phase = Phase.ABORTED if outcome is Outcome.ABORTED else Phase.CLOSED
        s.outcome = outcome.value
        s.closed_ts = s.now_ts
        if reason is not None:
            s.reasons.append(reason)
        if outcome is Outcome.FAIL:  # the cause first, then every interruption (H7)
            s.reasons.extend(verdict_entry(record) for record in s.interruptions)
        self._emit(self.closing_event())
