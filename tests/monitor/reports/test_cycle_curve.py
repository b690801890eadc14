"""A cycle's curve from its records: lines broken where nothing was measured, dips kept."""

from __future__ import annotations

from monitor.journal import Record
from monitor.journal.readings import reading_fields
from monitor.reading import Quality, Reading
from monitor.reports.cycle_curve import build_curve, thinned

S = 1_000_000_000
T0 = 1_780_300_800 * S
CYCLE = "cycle:P1:2026-06-01T08:00:00Z"


def reading(seq: int, t_s: int, value: float, quality: Quality = Quality.OK) -> Record:
    fields = reading_fields(Reading("P1-ref", T0 + t_s * S, value, quality))
    return Record(CYCLE, seq, T0 + t_s * S, "reading", fields, bytes(32))


def event(seq: int, t_s: int, kind: str, **fields: object) -> Record:
    return Record(CYCLE, seq, T0 + t_s * S, kind, dict(fields), bytes(32))  # type: ignore[arg-type]


def test_a_fault_and_a_silence_break_the_line_and_the_hold_is_a_window() -> None:
    records = [
        event(1, 0, "cycle_started", setpoint_c=63.0, gap_limit_s=3.0, judged_probes="P1-ref"),
        reading(2, 1, 40.0),
        reading(3, 2, 63.1),
        event(4, 2, "hold_started", coldest_c=63.1, attempt=1),
        reading(5, 3, float("nan"), Quality.FAULT),
        reading(6, 4, 63.2),
        reading(7, 20, 63.0),  # 16 s of silence: more than the 3 s gap limit
        event(8, 21, "hold_settling", probe_id="P1-ref", value_c=62.9),
        reading(9, 21, 62.9),
        event(10, 22, "hold_started", coldest_c=63.0, attempt=2),
        event(11, 30, "hold_completed", held_s=8.0),
    ]
    curve = build_curve(records, flagged={6})
    assert curve is not None
    [series] = curve.series
    assert series.judged
    assert (series.count, series.faults) == (6, 1)
    assert [len(run) for run in series.runs if run] == [2, 1, 2]
    assert curve.holds == [(2.0, 21.0, False), (22.0, 30.0, True)]
    assert [(m.kind, m.value_c) for m in curve.marks] == [("flagged", 63.2), ("settling", 62.9)]
    assert curve.value_range() == (40.0, 63.2)


def test_thinning_keeps_every_bucket_s_extremes() -> None:
    run = [(float(t), 63.0) for t in range(10_000)]
    run[5_000] = (5_000.0, 57.0)  # one reading's dip
    thin = thinned(run, 100)
    assert len(thin) <= 2 * 100 + 2
    assert (5_000.0, 57.0) in thin
    assert thin[0] == run[0]
    assert thin[-1][0] == run[-1][0]
    assert thinned(run[:50], 100) == run[:50]
