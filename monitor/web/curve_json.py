"""A cycle's curve for the page's chart (uPlot): one time axis, one column per probe.

uPlot draws columns that share their x values. Each probe's runs (``build_curve``) are put
on a common grid of at most ``POINTS`` steps: a grid point inside a run takes the run's last
reading at or before it (its lowest in the step when that is lower, so a dip of one reading
stays visible), and a point between runs is null, which uPlot leaves as a gap: the chart
never draws a line across what was not measured.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from monitor.reports.cycle_curve import CycleCurve, Point

POINTS = 1500


def curve_json(curve: CycleCurve | None) -> dict[str, Any]:
    if curve is None or curve.end_s <= 0:
        return {
            "x": [],
            "series": [],
            "holds": [],
            "marks": [],
            "setpoint_c": None,
            "cooling_target_c": None,
        }
    step = max(1.0, math.ceil(curve.end_s / POINTS))
    xs = [i * step for i in range(int(curve.end_s // step) + 2)]
    series = []
    for s in curve.series:
        column: list[float | None] = [None] * len(xs)
        for run in s.runs:
            _place(run, xs, step, column)
        series.append({"probe": s.probe, "judged": s.judged, "values": column})
    return {
        "x": xs,
        "series": series,
        "holds": [[a, b, done] for a, b, done in curve.holds],
        "marks": [
            {"t": m.t_s, "value_c": m.value_c, "kind": m.kind, "text": m.text} for m in curve.marks
        ],
        "setpoint_c": curve.setpoint_c,
        "cooling_target_c": curve.cooling_target_c,
        "start_ns": curve.start_ns,
    }


def _place(run: list[Point], xs: list[float], step: float, column: list[float | None]) -> None:
    if not run:
        return
    times = [t for t, _ in run]
    first = bisect.bisect_left(xs, run[0][0])
    last = bisect.bisect_right(xs, run[-1][0] + step) - 1
    for i in range(first, min(last, len(xs) - 1) + 1):
        lo = bisect.bisect_left(times, xs[i] - step)
        hi = bisect.bisect_right(times, xs[i])
        within = [v for _, v in run[lo:hi]]
        if within:
            column[i] = round(min(within), 2)
        elif hi:
            column[i] = round(run[hi - 1][1], 2)
