"""``lactamon sheet show`` and the month's PDF with no daemon running: read from the journal.

An inspector with a copy of the journal and the settings reads the sheets, an enclosure no
longer in the settings included; bad input is refused with a message, never a traceback.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from monitor.cli.main import main
from monitor.journal import Journal
from tests.benchmarks.test_demo_footprint import toml_text
from tests.monitor.cli.test_ops_cmd import lactamon
from tests.monitor.journal.samples import device_key
from tests.monitor.service.lab_settings import lab_settings_mapping
from tests.monitor.sheets.month_journal import Day, Excursion, SetClock, close_day, midnight

D21 = date(2026, 11, 21)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "lactamon.toml"
    path.write_text(toml_text(lab_settings_mapping(tmp_path, 1883)))
    journal = Journal(tmp_path / "journal.sqlite", device_key(), SetClock(midnight(D21)))
    close_day(journal, "F1", Day(D21, 2.25, 6.75, 3.5, (Excursion(600, 650, 6.75),)))
    close_day(journal, "X1", Day(D21, -20.0, -18.5, -19.0), probe="X1-air")  # since removed
    journal.close()
    return path


def test_show_reads_the_journal_without_the_daemon(config: Path) -> None:
    shown = lactamon(config, "sheet", "show", "--enclosure", "F1", "--day", "2026-11-21")
    assert shown.code == 0, shown.err
    assert shown.out.splitlines()[:6] == [
        "daily sheet of F1 for 2026-11-21 (Europe/Paris)",
        "  closed 2026-11-22 00:00, 1440 readings",
        "  min 2.25 °C at 03:00   max 6.75 °C at 15:00   mean 3.50 °C",
        "  measured out of band 0:30   unmeasured 0:02",
        "  excursions 1 (alarmed 1)",
        "    10:00, high, alarmed, back in the band at 10:50 (worst 6.75 °C)",
    ]
    assert shown.out.splitlines()[-1] == "  NOT SIGNED"
    as_json = lactamon(config, "sheet", "show", "--enclosure", "F1", "--day", "2026-11-21",
                       "--json")  # fmt: skip
    answer = json.loads(as_json.out)
    assert (answer["figures"]["max_c"], answer["signature"], answer["month_review"]) == (
        6.75, None, None)  # fmt: skip
    removed = lactamon(config, "sheet", "show", "--enclosure", "X1", "--day", "2026-11-21")
    assert "min -20.00 °C" in removed.out, removed.err


def test_the_month_prints_with_an_enclosure_no_longer_configured(
    config: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "x1.pdf"
    printed = lactamon(config, "sheet", "--month", "2026-11", "--enclosure", "X1", "--pdf",
                       str(pdf))  # fmt: skip
    assert (printed.code, printed.out) == (0, f"{pdf}: 1 page(s), 2026-11, X1\n"), printed.err
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["sheet"], 2, "give an action (show, sign, review), or --month YYYY-MM with --pdf"),
        (["sheet", "--month", "2026-11"], 2, "give an action"),
        (["sheet", "--month", "Nov", "--pdf", "x.pdf"], 1, "malformed month 'Nov'"),
        (["sheet", "--month", "2026-11", "--enclosure", "F9", "--pdf", "x.pdf"], 1,
         "unknown enclosure 'F9' (known: F1, F2, X1, Z1)"),
        (["sheet", "show", "--enclosure", "F1"], 2, "the following arguments are required: --day"),
        (["sheet", "show", "--enclosure", "F1/x", "--day", "2026-11-21"], 1,
         "unknown enclosure 'F1/x'"),
        (["sheet", "show", "--enclosure", "F1", "--day", "2026-02-30"], 1,
         "malformed day '2026-02-30'"),
        (["sheet", "sign", "--enclosure", "F1", "--day", "2026-11-21", "--user", "anne"], 1,
         "cannot reach the lactamon daemon"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message(
    config: Path, args: list[str], code: int, message: str
) -> None:
    run = lactamon(config, *args, stdin="pw\n")
    assert (run.code, run.out) == (code, ""), run.err
    assert message in run.err
    assert "Traceback" not in run.err


def test_a_missing_journal_is_named(config: Path, tmp_path: Path) -> None:
    (tmp_path / "journal.sqlite").unlink()
    run = lactamon(config, "sheet", "show", "--enclosure", "F1", "--day", "2026-11-21")
    assert run.code == 1
    assert f"cannot read the journal {tmp_path / 'journal.sqlite'}" in run.err


def test_the_settings_may_come_before_the_action(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["sheet", "--config", str(config), "show", "--enclosure", "F1", "--day", "2026-11-21"]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("daily sheet of F1 for 2026-11-21")
