"""What one pasteurisation cycle says, read back from its records alone.

The cycle's stream holds its start (program, setpoint, lots), every interruption of the
hold, and its closing verdict with the figures an inspector reads on a curve (EMBA 2019;
Buffin et al. 2017: come-up to 58 °C and to the setpoint, plateau, maximum, time above
58 °C, time to cool); the ``alarms`` stream holds what was raised about it and who
acknowledged it. This builder needs nothing else, so the command line, the web pages and a
dossier made from a bundle all say the same thing, each figure named and written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from monitor.journal import Record
from monitor.journal.streams import parse_stream

CLOSING = {"cycle_passed": "passed", "cycle_failed": "failed", "cycle_aborted": "aborted"}
FIGURES = (
    "to_mark_s", "to_setpoint_s", "plateau_s", "hold_min_c", "hold_max_c", "above_mark_s",
    "hold_restarts", "overshoots", "cooling_s",
)  # fmt: skip
MARK_C = 58.0  # the mark every come-up is read against (docs/RULES.md, P12)
FIGURE_NAMES = {
    "to_mark_s": ("come-up to 58 °C", "s"),
    "to_setpoint_s": ("come-up to the setpoint", "s"),
    "plateau_s": ("plateau", "s"),
    "hold_min_c": ("minimum during the plateau", "°C"),
    "hold_max_c": ("maximum during the plateau", "°C"),
    "above_mark_s": ("time at or above 58 °C", "s"),
    "hold_restarts": ("hold restarts", ""),
    "overshoots": ("overshoots", ""),
    "cooling_s": ("time to cool", "s"),
}


def figure_text(value: Any, unit: str) -> str:
    """A figure as people read it: ``12 min 05 s``, ``63.10 °C``, a count."""
    if unit == "s" and isinstance(value, int | float):
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes} min {seconds:02d} s"
    if unit == "°C" and isinstance(value, int | float):
        return f"{value:.2f} °C"
    return str(value)


@dataclass
class CycleSummary:
    """A cycle as people ask about it: where it stands, its verdict and why."""

    cycle: str
    pasteuriser: str
    program: str = ""
    setpoint_c: float | None = None
    cooling_target_c: float | None = None
    lots: list[str] = field(default_factory=list)
    started_ts: int | None = None
    closed_ts: int | None = None
    phase: str = "heating"
    reasons: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    interruptions: list[tuple[int, str]] = field(default_factory=list)
    alarms: list[tuple[int, str, str, str]] = field(default_factory=list)
    sealed: bool = False

    @property
    def verdict(self) -> str:
        """The verdict in words: PASS, FAIL, ABORTED, or where the cycle stands."""
        if self.phase in ("passed", "failed", "aborted"):
            return {"passed": "PASS", "failed": "FAIL", "aborted": "ABORTED"}[self.phase]
        return f"running ({self.phase})"

    def figure_lines(self) -> list[tuple[str, str]]:
        """Each figure the verdict recorded, as (label, text); the time to cool names its
        target when the cycle's start recorded it."""
        lines = []
        for name, value in self.figures.items():
            if value is None or name not in FIGURE_NAMES:
                continue
            label, unit = FIGURE_NAMES[name]
            if name == "cooling_s" and self.cooling_target_c is not None:
                label = f"{label} below {self.cooling_target_c:g} °C"
            lines.append((label, figure_text(value, unit)))
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "pasteuriser": self.pasteuriser,
            "program": self.program,
            "setpoint_c": self.setpoint_c,
            "lots": self.lots,
            "started_ts": self.started_ts,
            "closed_ts": self.closed_ts,
            "phase": self.phase,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "figures": self.figures,
            "interruptions": [{"ts": ts, "reason": r} for ts, r in self.interruptions],
            "alarms": [
                {"ts": ts, "action": action, "message": message, "by": by}
                for ts, action, message, by in self.alarms
            ],
        }


def summarise_cycle(
    cycle: str, records: Iterable[Record], alarm_records: Iterable[Record] = ()
) -> CycleSummary:
    """The summary of ``cycle`` from its stream's records and the unit's alarm records."""
    summary = CycleSummary(cycle, parse_stream(cycle).subject)
    for record in records:
        f = record.fields
        if record.kind == "cycle_started":
            summary.program = str(f.get("program", ""))
            setpoint = f.get("setpoint_c")
            summary.setpoint_c = float(setpoint) if isinstance(setpoint, int | float) else None
            target = f.get("cooling_target_c")
            summary.cooling_target_c = float(target) if isinstance(target, int | float) else None
            summary.lots = [lot for lot in str(f.get("lots", "")).split(",") if lot]
            summary.started_ts = record.ts
        elif record.kind == "hold_started" and summary.phase == "heating":
            summary.phase = "holding"
        elif record.kind == "hold_completed":
            summary.phase = "cooling"
        elif record.kind == "hold_interrupted":
            summary.interruptions.append((record.ts, str(f.get("reason", "interrupted"))))
        elif record.kind in CLOSING:
            summary.phase = CLOSING[record.kind]
            summary.closed_ts = record.ts
            reasons = str(f.get("reasons", ""))
            summary.reasons = [r for r in reasons.split("; ") if r]
            summary.figures = {name: f.get(name) for name in FIGURES}
        elif record.kind == "seal":
            summary.sealed = True
    for record in alarm_records:
        f = record.fields
        if record.kind.startswith("alarm_") and str(f.get("alarm", "")).endswith(f":{cycle}"):
            by = str(f.get("printed_name", "") or "")
            summary.alarms.append((record.ts, str(f.get("action")), str(f.get("message")), by))
    return summary
