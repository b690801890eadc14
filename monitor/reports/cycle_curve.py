"""A cycle's curve from its stream's records: each probe's readings, the hold windows, the dips.

Times are seconds from the cycle's first record. A faulty reading is no temperature (docs/
RULES.md, H4): it breaks its probe's line, as does a silence longer than the cycle's gap
limit, so the paper never draws a line across what was not measured.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from monitor.journal.errors import RecordError
from monitor.journal.readings import READING, ReadingPoint, reading_from_record
from monitor.journal.record import Record
from monitor.reading import Quality
from monitor.time_units import NS_PER_S

Point = tuple[float, float]  # (seconds from the start, °C)
HOLD_ENDS = ("hold_settling", "hold_interrupted", "hold_completed")
CLOSING = ("cycle_passed", "cycle_failed", "cycle_aborted")
DEFAULT_GAP_S = 30.0


@dataclass(slots=True)
class Series:
    """One probe's readings, in runs without a break; ``judged``: the hold was judged on it."""

    probe: str
    judged: bool = False
    runs: list[list[Point]] = field(default_factory=list)
    faults: int = 0
    count: int = 0


@dataclass(frozen=True, slots=True)
class Mark:
    """Something to point at on the curve: a dip, an interruption, an overshoot."""

    t_s: float
    value_c: float | None
    kind: str  # "settling", "interrupted", "overshoot", "flagged" (fails verification)
    text: str


@dataclass(slots=True)
class CycleCurve:
    start_ns: int
    end_s: float = 0.0
    setpoint_c: float | None = None
    cooling_target_c: float | None = None
    holds: list[tuple[float, float, bool]] = field(default_factory=list)  # start, end, complete
    series: list[Series] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    @property
    def readings(self) -> int:
        return sum(s.count for s in self.series)

    def value_range(self) -> tuple[float, float] | None:
        values = [v for s in self.series for run in s.runs for _, v in run]
        return (min(values), max(values)) if values else None


def build_curve(
    records: Iterable[Record | ReadingPoint], flagged: Collection[int] = ()
) -> CycleCurve | None:
    """The curve of one cycle's records (in seq order); None without any record. A reading
    whose seq is ``flagged`` (the verification found it altered) is marked where it lies."""
    ordered = list(records)
    if not ordered:
        return None
    start = ordered[0].ts
    curve = CycleCurve(start)
    gap_s, judged = DEFAULT_GAP_S, set[str]()
    by_probe: dict[str, Series] = {}
    last_seen: dict[str, float] = {}
    hold_from: float | None = None
    for record in ordered:
        t = (record.ts - start) / NS_PER_S
        curve.end_s = max(curve.end_s, t)
        if isinstance(record, ReadingPoint):  # a reading as a chart reads it (web pages)
            _add_point(record.probe, record.value, record.quality, t, by_probe, last_seen, gap_s)
            continue
        f = record.fields
        if record.kind == READING:
            value = _add_reading(record, t, by_probe, last_seen, gap_s)
            if record.seq in flagged:
                text = f"#{record.seq} fails verification"
                curve.marks.append(Mark(t, value, "flagged", text))
        elif record.kind == "cycle_started":
            curve.setpoint_c = _float(f.get("setpoint_c"))
            curve.cooling_target_c = _float(f.get("cooling_target_c"))
            gap_s = _float(f.get("gap_limit_s")) or DEFAULT_GAP_S
            judged = {p for p in str(f.get("judged_probes", "")).split(",") if p}
        elif record.kind == "hold_started":
            hold_from = t
        elif record.kind in HOLD_ENDS or record.kind in CLOSING:
            if hold_from is not None:
                curve.holds.append((hold_from, t, record.kind == "hold_completed"))
                hold_from = None
            mark = _mark(record, t)
            if mark is not None:
                curve.marks.append(mark)
        elif record.kind == "overshoot_started":
            value = _float(f.get("value_c"))
            curve.marks.append(Mark(t, value, "overshoot", f"overshoot {_c(value)}"))
    if hold_from is not None:
        curve.holds.append((hold_from, curve.end_s, False))
    for probe, series in sorted(by_probe.items()):
        series.judged = probe in judged
        curve.series.append(series)
    curve.series.sort(key=lambda s: (not s.judged, s.probe))
    return curve


def thinned(run: list[Point], buckets: int) -> list[Point]:
    """At most about ``2 * buckets`` points that keep each bucket's lowest and highest value,
    so a dip of one reading still shows on a line drawn at paper resolution."""
    if len(run) <= 2 * buckets or buckets < 1:
        return run
    first, last = run[0][0], run[-1][0]
    width = (last - first) / buckets or 1.0
    out: list[Point] = []
    group: list[Point] = []
    edge = first + width
    for point in run:
        if point[0] >= edge and group:
            out += _extremes(group)
            group = []
            edge = first + width * (math.floor((point[0] - first) / width) + 1)
        group.append(point)
    out += _extremes(group)
    return out


def _extremes(group: list[Point]) -> list[Point]:
    low = min(group, key=lambda p: p[1])
    high = max(group, key=lambda p: p[1])
    return sorted({low, high}, key=lambda p: p[0])


def _add_reading(
    record: Record,
    t: float,
    by_probe: dict[str, Series],
    last_seen: dict[str, float],
    gap_s: float,
) -> float | None:
    """Add the reading to its probe's line; its value, None when it is no temperature."""
    try:
        reading = reading_from_record(record)
    except RecordError:
        return None
    return _add_point(reading.probe_id, reading.value, reading.quality, t, by_probe, last_seen,
                      gap_s)  # fmt: skip


def _add_point(
    probe: str,
    value: float,
    quality: Quality,
    t: float,
    by_probe: dict[str, Series],
    last_seen: dict[str, float],
    gap_s: float,
) -> float | None:
    series = by_probe.setdefault(probe, Series(probe))
    series.count += 1
    if quality is Quality.FAULT or not math.isfinite(value):
        series.faults += 1
        series.runs.append([])  # a fault breaks the line
        return None
    previous = last_seen.get(probe)
    if not series.runs or (previous is not None and t - previous > gap_s):
        series.runs.append([])
    series.runs[-1].append((t, value))
    last_seen[probe] = t
    return value


def _mark(record: Record, t: float) -> Mark | None:
    f = record.fields
    value = _float(f.get("value_c"))
    if record.kind == "hold_settling":
        return Mark(t, value, "settling", f"settling dip {_c(value)} ({f.get('probe_id', '')})")
    if record.kind == "hold_interrupted":
        cause = str(f.get("cause", "dip"))
        return Mark(t, value, "interrupted", f"hold interrupted: {cause} {_c(value)}".strip())
    return None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _c(value: float | None) -> str:
    return "" if value is None else f"{value:.2f} °C"
