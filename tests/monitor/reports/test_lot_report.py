"""The dossier's data, built from a real lot's bundle alone: cycle, alarms, stays, verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.journal import export_lot_bundle, load_key_file
from monitor.journal.api import verify_bundle_entries
from monitor.reports.bundle_view import load_bundle
from monitor.reports.lot_report import LotReport, build_report
from tests.monitor.reports.lot_lab import ANNE, HOLD_C, LOT, SOPHIE, LotLab, shared_lot_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LotLab:
    return shared_lot_lab(tmp_path_factory.getbasetemp())


def report_of(lab: LotLab, tmp_path: Path) -> LotReport:
    bundle = tmp_path / "lot.jsonl"
    key = load_key_file(lab.key_file)
    export_lot_bundle(lab.journal, LOT, bundle, key=key, time_zone="Europe/Paris")
    view = load_bundle(bundle)
    verification = verify_bundle_entries(view.header, view.entries, key.public)
    return build_report(view, verification, "Europe/Paris")


def test_the_cycle_passes_with_its_curve_and_figures(lab: LotLab, tmp_path: Path) -> None:
    report = report_of(lab, tmp_path)
    assert report.verdict == "OK"
    [section] = report.cycles
    assert section.summary is not None
    assert section.summary.verdict == "PASS"
    labels = dict(section.summary.figure_lines())
    assert labels["come-up to 58 °C"] == "13 min 00 s"
    assert labels["maximum during the plateau"] == f"{HOLD_C:.2f} °C"
    assert "time to cool below 6 °C" in labels
    curve = section.curve
    assert curve is not None
    assert curve.series[0].probe == "P1-ref"  # judged first
    assert curve.series[0].judged
    assert {s.probe for s in curve.series} == {"P1-ref", "P1-bath", "P1-b1"}
    assert curve.setpoint_c == 63.0
    (_, _, settled), (start, end, complete) = curve.holds  # the dip restarted the timer
    assert not settled
    assert complete
    assert end - start == pytest.approx(30 * 60, abs=1)
    assert [m.kind for m in curve.marks] == ["settling"]
    assert labels["hold restarts"] == "1"


def test_the_cycle_alarms_come_from_the_alarm_slice(lab: LotLab, tmp_path: Path) -> None:
    report = report_of(lab, tmp_path)
    assert report.alarm_span is not None
    assert report.alarm_span[0] > 1  # a slice, from the checkpoint before the cycle
    [section] = report.cycles
    actions = [(a.alarm, a.action) for a in section.alarms]
    assert ("stale:P1-b1", "raised") in actions
    acknowledged = next(a for a in section.alarms if a.action == "acknowledged")
    assert acknowledged.by == f"{ANNE} (anne)"
    assert acknowledged.comment == "bottle probe reseated"
    assert all(a.alarm != "stale:F1-air" for a in section.alarms)  # not this cycle's
    assert any(e.what == "probe silent" for e in section.events)


def test_each_stay_has_its_extremes_and_its_excursion(lab: LotLab, tmp_path: Path) -> None:
    report = report_of(lab, tmp_path)
    fridge, freezer = report.stays
    assert (fridge.stay.enclosure, fridge.low_c, fridge.high_c) == ("F2", 3.0, 5.5)
    assert (freezer.stay.enclosure, freezer.low_c, freezer.high_c) == ("Z1", -20.0, -20.0)
    [excursion] = fridge.excursions
    assert excursion.alarmed
    assert excursion.side == "high"
    assert excursion.worst_c == 5.5
    assert freezer.excursions == []
    assert report.dossier is not None
    [decided] = report.dossier.valid_acts("lot_decided")
    assert decided.excursion == excursion.location
    assert [a.printed_name for a in report.dossier.valid_acts("lot_released")] == [SOPHIE]
