"""The ``[overload]`` settings: defaults, the hysteresis they must keep, the README's block."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from config.loading import validate_mapping
from tests.config.test_loading import issues_of


def test_the_defaults() -> None:
    overload = validate_mapping({}, "t").overload
    assert (overload.lag_alarm_s, overload.lag_clear_s, overload.queue_readings) == (
        10.0,
        2.0,
        100_000,
    )


def test_the_alarm_clears_below_where_it_is_raised() -> None:
    issues = issues_of({"overload": {"lag_alarm_s": 5.0, "lag_clear_s": 5.0}})
    assert any(i.startswith("overload: lag_clear_s (5) must be below lag_alarm_s") for i in issues)
    assert any(
        i.startswith("overload.queue_readings")
        for i in issues_of({"overload": {"queue_readings": 10}})
    )


def test_the_readme_block_is_the_defaults() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Lag and overload", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    read = validate_mapping(tomllib.loads(block), "README").overload
    assert read == validate_mapping({}, "t").overload
