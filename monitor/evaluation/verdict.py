"""The verdict of a closed pasteurisation cycle and the curve figures an inspector reads."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

FieldValue = str | int | float | bool | None


class Outcome(StrEnum):
    """How a cycle ended: the hold and cooling were proven, or not, or a user stopped it."""

    PASS = "pass"
    FAIL = "fail"
    ABORTED = "aborted"


@dataclass(frozen=True, slots=True)
class CycleMetrics:
    """What an inspector reads on a curve (docs/RULES.md; Buffin et al. 2017, EMBA 2019).

    All durations are seconds, None when the curve never got there. Temperatures are those of
    the judged probes: the coldest one for the come-up, the hold minimum and the time above
    the mark; the warmest one for the hold maximum and the cooling.

    - ``to_mark_s`` / ``to_setpoint_s``: from the start to the first reading at or above the
      inspection mark (58 °C) / the setpoint;
    - ``plateau_s``: from the start of the last hold to its last reading at or above the
      setpoint (it may run on past the hold time);
    - ``hold_min_c`` / ``hold_max_c``: extremes over that plateau;
    - ``above_mark_s``: total proven time at or above the mark (intervals between consecutive
      readings both at or above it, none longer than the gap limit);
    - ``hold_restarts``: how many times a dip or a gap reset the hold timer;
    - ``overshoots``: how many times the milk went above setpoint + margin;
    - ``cooling_s``: from the end of the hold to the first reading below the cooling target.
    """

    to_mark_s: float | None
    to_setpoint_s: float | None
    plateau_s: float | None
    hold_min_c: float | None
    hold_max_c: float | None
    above_mark_s: float
    hold_restarts: int
    overshoots: int
    cooling_s: float | None


@dataclass(frozen=True, slots=True)
class CycleVerdict:
    """The judgement of one cycle, with its reasons (empty for a pass) and its figures.

    ``judged_on_bath`` says the hold was judged on the bath because no reference (milk) probe
    was configured: weaker evidence than docs/RULES.md asks for (Décret 55-771 art. 6).
    """

    outcome: Outcome
    reasons: tuple[str, ...]
    program: str
    setpoint_c: float
    hold_required_s: float
    judged_on_bath: bool
    started_ts: int
    closed_ts: int
    hold_started_ts: int | None
    hold_completed_ts: int | None
    cooled_ts: int | None
    metrics: CycleMetrics

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    def fields(self) -> dict[str, FieldValue]:
        """The verdict as one flat record: reasons joined by ``"; "``, metrics inlined."""
        m = self.metrics
        return {
            "outcome": self.outcome.value,
            "reasons": "; ".join(self.reasons),
            "program": self.program,
            "setpoint_c": self.setpoint_c,
            "hold_required_s": self.hold_required_s,
            "judged_on_bath": self.judged_on_bath,
            "started_ts": self.started_ts,
            "closed_ts": self.closed_ts,
            "hold_started_ts": self.hold_started_ts,
            "hold_completed_ts": self.hold_completed_ts,
            "cooled_ts": self.cooled_ts,
            "to_mark_s": m.to_mark_s,
            "to_setpoint_s": m.to_setpoint_s,
            "plateau_s": m.plateau_s,
            "hold_min_c": m.hold_min_c,
            "hold_max_c": m.hold_max_c,
            "above_mark_s": m.above_mark_s,
            "hold_restarts": m.hold_restarts,
            "overshoots": m.overshoots,
            "cooling_s": m.cooling_s,
        }
