"""``[sheets]``: when an unsigned daily sheet becomes an alarm, and how far back a start looks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from config.loading import validate_mapping
from tests.config.test_loading import issues_of


def test_defaults() -> None:
    sheets = validate_mapping({}, "t").sheets
    assert (sheets.unsigned_alarm_at, sheets.alarm_lookback_days) == ("10:00", 7)
    assert sheets.alarm_minutes == 600


def test_a_site_sets_its_hour() -> None:
    data: dict[str, object] = {"sheets": {"unsigned_alarm_at": "08:30", "alarm_lookback_days": 31}}
    sheets = validate_mapping(data, "t").sheets
    assert (sheets.alarm_minutes, sheets.alarm_lookback_days) == (510, 31)


@pytest.mark.parametrize(
    ("sheets", "problem"),
    [
        ({"unsigned_alarm_at": "24:00"}, "sheets.unsigned_alarm_at: String should match pattern"),
        ({"unsigned_alarm_at": "9:00"}, "sheets.unsigned_alarm_at: String should match pattern"),
        ({"alarm_lookback_days": 0}, "sheets.alarm_lookback_days: Input should be greater"),
        ({"alarm_lookback_days": "7"}, "sheets.alarm_lookback_days: write the number without"),
        ({"unsigned_alarm": "10:00"}, "sheets.unsigned_alarm: unknown key"),
    ],
)
def test_bad_values_are_named(sheets: dict[str, object], problem: str) -> None:
    assert any(i.startswith(problem) for i in issues_of({"sheets": sheets})), issues_of(
        {"sheets": sheets}
    )


def test_the_readme_block_is_the_defaults() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Daily sheets", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    assert (
        validate_mapping(tomllib.loads(block), "README").sheets == validate_mapping({}, "t").sheets
    )
