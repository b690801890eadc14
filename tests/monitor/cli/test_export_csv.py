"""``lactamon export --lot L --csv F``: the lot's curves for spreadsheets."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli.main import main
from tests.monitor.reports.lot_lab import LOT, LotLab, shared_lot_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LotLab:
    return shared_lot_lab(tmp_path_factory.getbasetemp())


def test_export_writes_the_csv_and_the_bundle(
    lab: LotLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, bundle = tmp_path / "curve.csv", tmp_path / "lot.jsonl"
    args = ["export", "--lot", LOT, "--csv", str(csv), "--bundle", str(bundle), "--config",
            str(lab.config)]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    rows = csv.read_text().count("\n") - 1
    assert f"{rows} readings to {csv}" in out
    assert csv.read_text().startswith("stream,seq,ts_utc,ts_local,probe,value_c,quality\n")
    assert bundle.exists()


def test_export_needs_something_to_write(lab: LotLab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--lot", LOT, "--config", str(lab.config)]) == 2
    assert "--bundle FILE, --csv FILE" in capsys.readouterr().err


def test_an_unknown_lot_is_a_clear_error(
    lab: LotLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["export", "--lot", "L2099-009", "--csv", str(tmp_path / "c.csv"), "--config",
            str(lab.config)]  # fmt: skip
    assert main(args) == 1
    assert "no lot L2099-009" in capsys.readouterr().err
