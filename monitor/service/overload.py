"""The overload alarm: the daemon is behind its probes, or had to let readings go.

Raised when the lag (``input_horizon``) passes ``overload.lag_alarm_s``, or at once when
readings were shed or the broker dropped messages meant for this unit; cleared when the lag
is back under ``overload.lag_clear_s`` with nothing lost since the last check. The gap
between the two thresholds keeps a lag hovering at one of them from flapping. While it is
raised, alarms come late by the lag and a probe's silence is judged only up to what has
been read (docs/RULES.md, F9). A lab that keeps up stays far below either threshold.

Pure bookkeeping: the pipeline journals what ``check`` concludes and tells the alarm desk.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.clock import NS_PER_S

OVERLOAD_KEY = "overload:device"


@dataclass(frozen=True, slots=True)
class OverloadChange:
    """The alarm's condition changed at ``ts``; the figures of the episode so far."""

    ts: int
    active: bool
    lag_s: float
    max_lag_s: float
    behind_s: float
    shed: int
    lost_markers: int
    reason: str

    def fields(self) -> dict[str, float | int | str]:
        common: dict[str, float | int | str] = {"lag_s": round(self.lag_s, 3)}
        if self.active:
            return {**common, "reason": self.reason}
        return {
            **common,
            "max_lag_s": round(self.max_lag_s, 3),
            "behind_s": round(self.behind_s, 3),
            "shed": self.shed,
            "lost_markers": self.lost_markers,
        }

    def message(self) -> str:
        if not self.active:
            return f"monitoring caught up (it was up to {self.max_lag_s:.0f} s behind)"
        return (
            f"monitoring is behind its probes ({self.reason}): alarms come late, and a "
            "probe's silence is judged only up to what has been read (docs/RULES.md, F9)"
        )


class OverloadWatch:
    """The overload condition, with hysteresis; see the module docstring."""

    def __init__(self, lag_alarm_s: float, lag_clear_s: float) -> None:
        self.alarm_s = lag_alarm_s
        self.clear_s = lag_clear_s
        self.active = False
        self._since_ns = 0
        self._max_lag_s = 0.0
        self._shed = 0
        self._lost = 0
        self._lost_since_check = False

    def lost(self, ts: int, lag_s: float, shed: int = 0, markers: int = 0) -> OverloadChange | None:
        """Readings shed, or markers the broker dropped: raised now if it was not."""
        self._shed += shed
        self._lost += markers
        self._lost_since_check = True
        what = f"{shed} readings shed" if shed else f"the broker dropped {markers} lag markers"
        return self._raise(ts, lag_s, what) if not self.active else None

    def check(self, ts: int, lag_s: float) -> OverloadChange | None:
        """At a tick: raised above the alarm threshold, cleared under the clear threshold."""
        lost, self._lost_since_check = self._lost_since_check, False
        if self.active:
            self._max_lag_s = max(self._max_lag_s, lag_s)
            if lag_s < self.clear_s and not lost:
                return self._clear(ts, lag_s)
            return None
        if lag_s > self.alarm_s:
            return self._raise(ts, lag_s, f"{lag_s:.0f} s behind")
        return None

    def _raise(self, ts: int, lag_s: float, reason: str) -> OverloadChange:
        self.active = True
        self._since_ns = ts
        self._max_lag_s = lag_s
        return self._change(ts, lag_s, reason)

    def _clear(self, ts: int, lag_s: float) -> OverloadChange:
        self.active = False
        change = self._change(ts, lag_s, "caught up")
        self._shed = self._lost = 0
        return change

    def _change(self, ts: int, lag_s: float, reason: str) -> OverloadChange:
        return OverloadChange(
            ts,
            self.active,
            lag_s,
            self._max_lag_s,
            (ts - self._since_ns) / NS_PER_S,
            self._shed,
            self._lost,
            reason,
        )
