"""The rules' settings: defaults and checks are those of the evaluation parameters."""

from __future__ import annotations

import pytest

from config.loading import validate_mapping
from monitor.evaluation.params import (
    DEFAULT_FLORA_LIMITS,
    DEFAULT_HEATING_WATCH,
    DEFAULT_POLICY,
    DEFAULT_PROGRAMS,
    DEFAULT_STALE_PERIODS,
    FREEZER_DEFAULTS,
    FRIDGE_DEFAULTS,
    HOLDER62_5,
    PROGRAM_PRESETS,
)
from monitor.service import wiring
from tests.config.test_loading import issues_of

SERIAL = [{"id": "s", "device": "/dev/null"}]
PROBES = [
    {"id": "a", "source": {"kind": "serial", "line": "s", "field": "T1"}},
    {"id": "b", "source": {"kind": "serial", "line": "s", "field": "T2"}},
]


def enclosure(**fields: object) -> dict[str, object]:
    return {
        "serial": SERIAL,
        "probes": PROBES,
        "enclosures": [{"id": "F", "probes": ["a"], **fields}],
    }


def test_defaults_are_the_parameters_defaults() -> None:
    data = {
        **enclosure(kind="fridge"),
        "pasteurisers": [{"id": "P", "probes": [{"probe": "b", "role": "reference"}]}],
    }
    settings = validate_mapping(data, "t")
    assert wiring.programs(settings) == {p.name: p for p in DEFAULT_PROGRAMS}
    assert wiring.flora_limits(settings) == DEFAULT_FLORA_LIMITS
    pasteuriser = settings.pasteurisers[0]
    assert wiring.cycle_policy(settings, pasteuriser) == DEFAULT_POLICY
    assert wiring.heating_watch(pasteuriser) == DEFAULT_HEATING_WATCH
    assert wiring.band_spec(settings.enclosures[0], settings) == FRIDGE_DEFAULTS
    assert settings.probes[0].stale_after_periods == DEFAULT_STALE_PERIODS
    freezer = validate_mapping(enclosure(kind="freezer"), "t").enclosures[0]
    assert wiring.band_spec(freezer, settings) == FREEZER_DEFAULTS


def test_the_s_aureus_limit_has_one_name() -> None:
    data = {"pasteurisation": {"destroy_above_s_aureus_cfu_ml": 5e3}}
    assert wiring.flora_limits(validate_mapping(data, "t")).destroy_above_s_aureus_cfu_ml == 5e3
    old = issues_of({"pasteurisation": {"max_s_aureus_cfu_ml": 5e3}})
    assert any(i.startswith("pasteurisation.max_s_aureus_cfu_ml: unknown key") for i in old)
    gone = issues_of({"pasteurisation": {"sample_period_s": 1.0}})
    assert any(i.startswith("pasteurisation.sample_period_s: unknown key") for i in gone)


def test_holder62_5_is_a_preset_a_site_may_configure() -> None:
    assert PROGRAM_PRESETS["holder62_5"] is HOLDER62_5
    assert (HOLDER62_5.setpoint_c, HOLDER62_5.hold_s) == (62.5, 1800.0)
    assert HOLDER62_5.max_total_flora_cfu_ml == PROGRAM_PRESETS["holder63"].max_total_flora_cfu_ml
    table = {"setpoint_c": 62.5, "hold_min": 30, "max_total_flora_cfu_ml": 1e5}
    settings = validate_mapping({"programs": {"holder62_5": table}}, "t")
    assert wiring.program(settings, "holder62_5") == HOLDER62_5


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"programs": {"p": {"setpoint_c": 63, "hold_min": 1800, "max_total_flora_cfu_ml": 1}}},
            "programs: program p: hold_min must be more than 0 s and at most 36000 s (600 min), "
            "got 108000 s (1800 min)",
        ),
        (
            {"programs": {"p": {"setpoint_c": 120, "hold_min": 30, "max_total_flora_cfu_ml": 1}}},
            "programs: program p: setpoint_c must lie in 0..100",
        ),
        ({"pasteurisation": {"gap_periods": 0}}, "pasteurisation: gap_periods must be"),
        ({"pasteurisation": {"come_up_limit_min": 0}}, "pasteurisation: come_up_limit_min must"),
        ({"pasteurisation": {"overshoot_margin_c": 25}}, "pasteurisation: overshoot_margin_c"),
        (
            {"pasteurisation": {"destroy_above_s_aureus_cfu_ml": 0}},
            "pasteurisation: destroy_above_s_aureus_cfu_ml must be > 0",
        ),
        (enclosure(kind="fridge", deadband_c=2.5), "enclosures[0]: deadband_c 2.5 leaves no room"),
        (enclosure(kind="fridge", delay_min=-1), "enclosures[0]: delay_min must be 0 s or more"),
        (enclosure(kind="fridge", gross_high=3.0), "enclosures[0]: gross_high 3 lies inside"),
        (enclosure(kind="freezer", gross_low=-30.0), "enclosures[0]: gross_low -30 lies inside"),
        (
            {
                "serial": SERIAL,
                "probes": PROBES,
                "pasteurisers": [
                    {
                        "id": "P",
                        "probes": [{"probe": "a", "role": "bath"}],
                        "unregistered_heating_c": 400,
                    }
                ],
            },
            "pasteurisers[0]: unregistered_heating_c must lie in -100..150",
        ),
    ],
)
def test_bad_rule_settings_are_refused_by_the_rules(data: dict[str, object], expected: str) -> None:
    found = issues_of(data)
    assert any(i.startswith(expected) for i in found), found
