"""What a lot lived through: the excursions and probe faults of its enclosures during its stays."""

from __future__ import annotations

import math

from monitor.journal import Record
from monitor.journal.dossier import Stay
from monitor.journal.lot_excursions import enclosure_exposures, lot_exposures
from monitor.journal.record import FieldValue

S = 1_000_000_000
DAY1, DAY2 = "enclosure:F1:2026-11-20", "enclosure:F1:2026-11-21"


def event(stream: str, seq: int, ts_s: int, kind: str, **fields: FieldValue) -> Record:
    return Record(stream, seq, ts_s * S, kind, dict(fields), b"")


def excursion(start_s: int, end_s: int, seq: int = 10) -> list[Record]:
    return [
        event(
            DAY1,
            seq,
            start_s,
            "excursion_started",
            subject="F1",
            side="high",
            probe_id="F1-air",
            value_c=4.3,
            high_c=4.0,
        ),
        event(
            DAY1,
            seq + 1,
            start_s + 600,
            "excursion_alarmed",
            subject="F1",
            since_ts=start_s * S,
            side="high",
            value_c=6.1,
            gross=False,
            reason="…",
            measured_out_s=600.0,
            unmeasured_out_s=0.0,
        ),
        event(
            DAY1,
            seq + 2,
            end_s,
            "excursion_ended",
            subject="F1",
            since_ts=start_s * S,
            duration_s=float(end_s - start_s),
            worst_c=6.8,
            alarmed=True,
            measured_out_s=float(end_s - start_s - 30),
            unmeasured_out_s=30.0,
        ),
    ]


def test_an_excursion_is_read_with_its_figures() -> None:
    [found] = enclosure_exposures(excursion(1000, 2500))
    assert (found.alarm, found.what, found.where) == ("band:F1", "excursion", f"{DAY1}#10")
    assert (found.start_ns, found.end_ns) == (1000 * S, 2500 * S)
    assert (found.measured_s, found.unmeasured_s, found.worst_c) == (1470.0, 30.0, 6.8)
    assert found.alarmed
    assert found.side == "high"


def test_an_excursion_is_the_lots_only_while_it_was_there() -> None:
    records = excursion(1000, 2500) + excursion(9000, 9900, seq=20)
    after = Stay("F1", 3000 * S, 1, 5000 * S, 2)
    assert lot_exposures([after], records, 10_000 * S) == []
    stay = Stay("F1", 2000 * S, 1, 5000 * S, 2)
    assert [e.start_ns for e in lot_exposures([stay], records, 10_000 * S)] == [1000 * S]
    elsewhere = Stay("F2", 0, 1)
    assert lot_exposures([elsewhere], records, 10_000 * S) == []
    still_there = Stay("F1", 6000 * S, 3)
    assert [e.start_ns for e in lot_exposures([still_there], records, 10_000 * S)] == [9000 * S]


def test_an_open_excursion_or_probe_fault_is_measured_so_far() -> None:
    records = [
        *excursion(1000, 2500)[:2],
        event(
            DAY1,
            30,
            3000,
            "probe_stale_raised",
            subject="F1-air",
            last_ts=2970 * S,
            stale_after_s=30.0,
        ),
    ]
    band, stale = lot_exposures([Stay("F1", 0, 1)], records, 4000 * S)
    assert band.end_ns is None
    assert band.measured_s == 600.0
    assert (stale.alarm, stale.start_ns, stale.unmeasured_s) == ("stale:F1-air", 2970 * S, 1030.0)


def test_what_began_before_the_records_read_is_dated_by_its_end() -> None:
    records = [
        event(
            DAY2,
            3,
            90_000,
            "excursion_ended",
            subject="F1",
            since_ts=80_000 * S,
            duration_s=10_000.0,
            worst_c=-1.5,
            alarmed=True,
            measured_out_s=9000.0,
            unmeasured_out_s=1000.0,
        ),
        event(DAY2, 4, 91_000, "probe_stale_cleared", subject="F1-air", silent_s=500.0),
        event(
            DAY2,
            5,
            92_000,
            "probe_fault_raised",
            subject="F1-air",
            value_c=None,
            detail="open circuit",
        ),
        event(DAY2, 6, 92_600, "probe_fault_cleared", subject="F1-air", value_c=3.0),
    ]
    band, stale, fault = enclosure_exposures(records)
    assert (band.start_ns, band.end_ns, band.worst_c) == (80_000 * S, 90_000 * S, -1.5)
    assert (stale.start_ns, stale.end_ns, stale.unmeasured_s) == (90_500 * S, 91_000 * S, 500.0)
    assert (fault.alarm, fault.unmeasured_s) == ("fault:F1-air", 600.0)
    assert fault.worst_c is None
    assert not math.isnan(fault.start_ns)
