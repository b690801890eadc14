"""The chart's columns: one grid for every probe, a gap where a probe's line breaks, a dip
of one reading kept."""

from __future__ import annotations

from monitor.reports.cycle_curve import CycleCurve, Series
from monitor.web.curve_json import curve_json


def test_runs_share_one_grid_with_gaps_between_them() -> None:
    ref = Series("P1-ref", judged=True, runs=[[(0.0, 20.0), (1.0, 40.0), (2.0, 62.9)],
                                              [(6.0, 63.2), (7.0, 63.1)]])  # fmt: skip
    curve = CycleCurve(start_ns=0, end_s=7.0, setpoint_c=63.0, series=[ref])
    data = curve_json(curve)
    assert data["x"][:8] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    column = data["series"][0]["values"]
    assert column[:3] == [20.0, 20.0, 40.0]  # each point: the lowest of its step
    assert column[4] is None  # between the runs: not drawn
    assert column[7] == 63.1
    assert data["setpoint_c"] == 63.0
    assert data["series"][0]["judged"] is True


def test_no_curve_is_empty() -> None:
    assert curve_json(None)["x"] == []
