import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from config import load_settings
from monitor.cli.config_cmd import summary
from monitor.cli.main import main

EXAMPLES = Path(__file__).parents[3] / "config" / "examples"


def test_check_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(EXAMPLES / "simulator.toml")]) == 0
    out = capsys.readouterr().out
    assert "probes: 6 (3 modbus, 3 mqtt)" in out
    assert "pasteuriser P1: P1-bath (bath), P1-ref (reference)" in out
    assert "freezer Z1: band ≤ -18 °C, alarm after 20 min" in out


def test_check_lists_every_error_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[enclosures]]\nid = "F1"\nkind = "fridge"\nprobes = ["x"]\n'
        "band = { low = 5, high = 4 }\n[sitee]\n"
    )
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err
    assert "enclosures[0]: band.low 5 > band.high 4" in err
    assert "sitee: unknown key" in err


def test_summary_warns_about_overdue_calibration() -> None:
    settings = load_settings(EXAMPLES / "simulator.toml")
    text = summary(settings, today=date(2030, 1, 1))
    assert "warning: probe P1-ref calibration overdue since 2027-05-01" in text


def test_console_script_bad_arguments_name_the_problem() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "monitor.cli.main", "config", "frobnicate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "invalid choice: 'frobnicate'" in proc.stderr
