"""A cycle's alarms that decide nothing of its verdict: overshoot and a slow come-up.

- overshoot (docs/RULES.md, Pasteurisation, P9; EMBA; Front. Pediatr. 2022): above setpoint
  + margin (3 °C) on the warmest judged probe, because heat damages the milk's proteins;
  ``overshoot`` is raised and lasts while the milk stays there;
- a slow come-up (P11, lactamon): a curve still below the setpoint once half the come-up
  limit is spent (45 of 90 min) raises the warning ``come_up_slow``, while there is still
  time to act on the pasteuriser; it clears when the setpoint is reached or the cycle closes.
  Half spent means past it, as for the limit itself: 45:00 is not yet late, 45:00 + 1 ns is.

Both are checked as time passes (``cycle`` calls them) and both clear when the cycle closes.
"""

from __future__ import annotations

from monitor.evaluation.cycle_reasons import come_up_slow_text
from monitor.evaluation.cycle_report import CycleReport
from monitor.evaluation.cycle_setup import CycleSetup, CycleState
from monitor.evaluation.events import ComeUpSlow, ComeUpSlowEnded, OvershootEnded, OvershootStarted
from monitor.evaluation.text import seconds


class CycleAlerts(CycleReport):
    """The overshoot and slow come-up conditions of one cycle (state in ``CycleState``)."""

    __slots__ = ("_come_up_warning_ns", "_over_c")

    def __init__(self, setup: CycleSetup, state: CycleState) -> None:
        super().__init__(setup, state)
        self._over_c = setup.program.setpoint_c + setup.policy.overshoot_margin_c
        self._come_up_warning_ns = self._ns(setup.policy.come_up_warning_s)

    def _overshoot(self, ts: int, warmest: float) -> None:
        """A judged instant: raise, follow or end the overshoot."""
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
        elif since is not None:
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

    def _watch_come_up(self, elapsed_ns: int) -> None:
        """Time passes while heating, ``elapsed_ns`` from the start, within the limit."""
        s = self.state
        if s.come_up_slow_since_ts is not None or elapsed_ns <= self._come_up_warning_ns:
            return
        s.come_up_slow_since_ts = s.now_ts
        latest = s.latest_c
        coldest = min(latest.values()) if len(latest) == len(self.setup.probes.judged_ids) else None
        reason = come_up_slow_text(self.setup, s, elapsed_ns)
        limit_s = self.setup.policy.come_up_limit_s
        self._emit(
            ComeUpSlow(s.now_ts, self.setup.cycle_id, seconds(elapsed_ns), limit_s, coldest, reason)
        )

    def _end_come_up_slow(self, reached: bool) -> None:
        s = self.state
        since = s.come_up_slow_since_ts
        assert since is not None
        duration = seconds(max(0, s.now_ts - since))
        self._emit(ComeUpSlowEnded(s.now_ts, self.setup.cycle_id, since, reached, duration))
        s.come_up_slow_since_ts = None

    def _end_alerts(self) -> None:
        """The cycle closes: what is still raised returns to normal."""
        if self.state.overshoot_since_ts is not None:
            self._end_overshoot()
        if self.state.come_up_slow_since_ts is not None:
            self._end_come_up_slow(reached=False)
