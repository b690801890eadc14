"""A cycle read back from its records: verdict in words, reasons, figures, interruptions,
alarms; the same from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli.main import main
from monitor.evaluation import LotBacteriology
from monitor.reports.cycle_summary import summarise_cycle
from tests.monitor.service.pipeline_lab import PipelineLab

COLD = {"F1-air": 3.0, "F2-air": 3.0, "Z1-air": -20.0}


def pasteurise(lab: PipelineLab, hold_c: float, hold_min: int) -> str:
    cycle = lab.pipeline.start_cycle("P1", [LotBacteriology("L1", 1e3, 10)], "holder63",
                                     lab.clock.now).stream  # fmt: skip
    for minute in range(15):  # come-up
        value = 20.0 + (hold_c - 20.0) * (minute + 1) / 15
        lab.run(60, 1, {"P1-bath": value + 1, "P1-ref": value, "P1-b1": value, **COLD})
    lab.run(hold_min * 60, 1, {"P1-bath": hold_c + 1, "P1-ref": hold_c, "P1-b1": hold_c, **COLD})
    lab.run(40 * 60, 1, {"P1-bath": 4.0, "P1-ref": 4.5, "P1-b1": 4.5, **COLD})
    return cycle


def test_a_passing_cycle_reads_pass_with_its_figures(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    cycle = pasteurise(lab, 63.6, 32)
    summary = summarise_cycle(cycle, lab.records(cycle), lab.records("alarms"))
    assert summary.verdict == "PASS"
    assert summary.reasons == []
    assert summary.lots == ["L1"]
    assert summary.figures["hold_min_c"] == pytest.approx(63.6)
    assert summary.figures["to_setpoint_s"] is not None
    assert summary.sealed
    lab.close()


def test_a_failed_cycle_says_why_and_the_cli_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = PipelineLab(tmp_path)
    cycle = pasteurise(lab, 63.6, 20)  # cooled after 20 of the 30 minutes
    summary = summarise_cycle(cycle, lab.records(cycle), lab.records("alarms"))
    assert summary.verdict == "FAIL"
    assert summary.reasons
    assert any(action == "raised" for _, action, _, _ in summary.alarms)
    lab.close()
    config = tmp_path / "settings.toml"
    config.write_text(f'[journal]\npath = "{lab.path}"\n[signing]\nkey_file = "{tmp_path}/k"\n')
    assert main(["cycle", "list", "--config", str(config)]) == 0
    assert f"{cycle}" in capsys.readouterr().out
    assert main(["cycle", "show", cycle, "--config", str(config)]) == 0
    shown = capsys.readouterr().out
    assert "verdict: FAIL" in shown
    assert f"because {summary.reasons[0]}" in shown


def test_an_unknown_cycle_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lab = PipelineLab(tmp_path)
    lab.close()
    config = tmp_path / "settings.toml"
    config.write_text(f'[journal]\npath = "{lab.path}"\n')
    assert main(["cycle", "show", "cycle:P1:2030-01-01T00:00:00Z", "--config", str(config)]) == 2
    assert "no cycle 'cycle:P1:2030-01-01T00:00:00Z'" in capsys.readouterr().err
