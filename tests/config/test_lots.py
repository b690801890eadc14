"""``[lots]`` and ``pasteurisation.post_flora_max_cfu_ml``: the limits of a lot's life."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from config.loading import validate_mapping
from monitor.evaluation.lot_life import LotLimits
from tests.config.test_loading import issues_of


def test_the_defaults_are_the_rules() -> None:
    settings = validate_mapping({}, "t")
    limits = settings.lots.limits(settings.pasteurisation.post_flora_max_cfu_ml)
    assert limits == LotLimits()
    assert (settings.lots.raw_fridge_max_h, settings.lots.use_by_warn_days) == (48.0, 3.0)


def test_a_site_sets_its_limits() -> None:
    data: dict[str, object] = {
        "lots": {"raw_fridge_max_h": 24.0, "use_by_months": 3, "use_by_warn_days": 7.0},
        "pasteurisation": {"post_flora_max_cfu_ml": 10.0},
    }
    settings = validate_mapping(data, "t")
    limits = settings.lots.limits(settings.pasteurisation.post_flora_max_cfu_ml)
    assert (limits.raw_fridge_s, limits.use_by_months, limits.use_by_warning_s) == (
        24 * 3600.0,
        3,
        7 * 86400.0,
    )
    assert limits.post_flora_max_cfu_ml == 10.0


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"lots": {"raw_fridge_max_h": 0.0}}, "lots.raw_fridge_max_h: Input should be greater"),
        ({"lots": {"use_by_months": 30}}, "lots.use_by_months: Input should be less than or"),
        ({"lots": {"use_by_months": "6"}}, "lots.use_by_months: write the number without"),
        ({"lots": {"use_by": 6}}, "lots.use_by: unknown key"),
        (
            {"pasteurisation": {"post_flora_max_cfu_ml": -1.0}},
            "pasteurisation.post_flora_max_cfu_ml: Input should be greater than or equal to 0",
        ),
    ],
)
def test_bad_values_are_named(data: dict[str, object], problem: str) -> None:
    issues = issues_of(data)
    assert any(i.startswith(problem) for i in issues), issues


def test_the_readme_block_is_the_defaults() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Lots", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    read = validate_mapping(tomllib.loads(block), "README")
    defaults = validate_mapping({}, "t")
    assert (read.lots, read.pasteurisation) == (defaults.lots, defaults.pasteurisation)
