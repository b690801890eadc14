"""Scenario files: every shipped one loads; every mistake is refused with its TOML path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.scenario import (
    SCENARIO_DIR,
    EnclosureKind,
    FaultKind,
    ScenarioError,
    load_scenario,
    load_shipped_scenario,
    parse_scenario,
    shipped_scenario_names,
)

MINIMAL = """
[scenario]
name = "minimal"
duration_min = 60

[[pasteurisers]]
id = "P1"
bath_probe = "P1-bath"
reference_probe = "P1-ref"
bottle_probes = ["P1-b1"]
link = "modbus-p1"

[[fridges]]
id = "F1"
probe = "F1-air"
link = "mqtt"
"""

REQUIRED = {
    "normal-day",
    "heater-failure",
    "slow-cooling",
    "reference-lost",
    "door-left-open",
    "defrost",
    "faults-tour",
}


def test_every_required_scenario_is_shipped() -> None:
    assert set(shipped_scenario_names()) >= REQUIRED


@pytest.mark.parametrize("name", shipped_scenario_names())
def test_every_shipped_scenario_loads(name: str) -> None:
    scenario = load_shipped_scenario(name)
    assert scenario.name
    assert scenario.duration_s > 0
    assert scenario.source == str(SCENARIO_DIR / f"{name}.toml")
    for fault in scenario.faults:
        assert fault.start_s < scenario.duration_s


def test_the_documented_example_is_read_in_full() -> None:
    scenario = parse_scenario(
        MINIMAL
        + """
[[pasteurisers.cycles]]
start_min = 2
setpoint_c = 63.0
hold_min = 30

[[freezers]]
id = "Z1"
probe = "Z1-air"
link = "mqtt"
defrost_every_h = 8

[[probes]]
id = "F1-air"
sigma_c = 0.1
offset_c = -0.3

[[faults]]
at_min = 40
duration_min = 6
kind = "heater_failure"
target = "P1"

[[faults]]
at_s = 30
duration_s = 15
kind = "probe_open_circuit"
target = "F1-air"
sentinel_c = -127
"""
    )
    (p1,) = scenario.pasteurisers
    assert p1.cycles[0].start_s == 120
    assert p1.cycles[0].hold_s == 1800
    assert p1.params.bottles == 20
    assert p1.bottle_probes == ("P1-b1",)
    assert [e.kind for e in scenario.enclosures] == [EnclosureKind.FRIDGE, EnclosureKind.FREEZER]
    assert scenario.probe_ids() == ["P1-bath", "P1-ref", "P1-b1", "F1-air", "Z1-air"]
    assert scenario.link_ids() == ["modbus-p1", "mqtt"]
    assert scenario.probe("F1-air").character.sigma_c == 0.1
    assert scenario.probe("F1-air").character.offset_c == -0.3
    assert scenario.probe("Z1-air").character.sigma_c == 0.03
    heater, open_circuit = scenario.faults
    assert (heater.kind, heater.start_s, heater.end_s) == (FaultKind.HEATER_FAILURE, 2400, 2760)
    assert open_circuit.sentinel_c == -127.0
    assert open_circuit.duration_s == 15


def _fault(body: str) -> str:
    return MINIMAL + "\n[[faults]]\n" + body


def _replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


BAD = [
    (
        _fault('at_min = 1\nduration_min = 1\nkind = "heater_fail"\ntarget = "P1"'),
        "faults[0].kind: unknown fault kind 'heater_fail'; expected one of door_open, ",
    ),
    (
        _fault('at_min = 1\nduration_min = 1\nkind = "heater_failure"\ntarget = "F1"'),
        "faults[0].target: 'F1' is not a pasteuriser; a heater_failure fault targets one of: P1",
    ),
    (
        _fault('at_min = 1\nduration_min = 1\nkind = "link_down"\ntarget = "wifi"'),
        "faults[0].target: 'wifi' is not a link; a link_down fault targets one of: modbus-p1, mqtt",
    ),
    (
        _fault('at_min = -1\nduration_min = 1\nkind = "power_cut"\ntarget = "F1"'),
        "faults[0].at_min: must be >= 0, got -1",
    ),
    (
        _fault('at_min = 1\nduration_min = 0\nkind = "power_cut"\ntarget = "F1"'),
        "faults[0].duration_min: must be > 0, got 0",
    ),
    (
        _fault('at_min = 90\nduration_min = 1\nkind = "power_cut"\ntarget = "F1"'),
        "faults[0].at_min: must be <= 60, got 90",
    ),
    (
        _fault('at_min = 1\nat_s = 60\nduration_min = 1\nkind = "power_cut"\ntarget = "F1"'),
        "faults[0].at_min: give either 'at_min' or 'at_s', not both",
    ),
    (
        _fault('duration_min = 1\nkind = "power_cut"\ntarget = "F1"'),
        "faults[0]: 'at_min' (or 'at_s') is required",
    ),
    (
        _fault(
            'at_min = 1\nduration_min = 1\nkind = "probe_spike"\ntarget = "F1-air"\nopening = 1'
        ),
        "faults[0].opening: unknown key 'opening'; expected one of at_min, at_s, delta_c, ",
    ),
    (
        _fault('at_min = 1\nduration_min = 1\nkind = "door_open"\ntarget = "F1"\nopening = 1.5'),
        "faults[0].opening: 1.5 is outside 0..1",
    ),
    (
        _fault(
            'at_min = 1\nduration_min = 1\nkind = "probe_spike"\ntarget = "F1-air"\ndelta_c = 0'
        ),
        "faults[0].delta_c: must not be 0",
    ),
    (
        _fault('at_min = "soon"\nduration_min = 1\nkind = "power_cut"\ntarget = "F1"'),
        "faults[0].at_min: expected a number, got a string ('soon')",
    ),
    (
        _fault('at_min = 1\nduration_min = 1\nkind = 3\ntarget = "F1"'),
        "faults[0].kind: expected a non-empty string, got int 3",
    ),
    (
        _replace('name = "minimal"', 'name = "minimal"\nspeed = 3'),
        "scenario.speed: unknown key 'speed'; expected one of description, duration_min, ",
    ),
    (
        _replace("duration_min = 60", "duration_min = nan"),
        "scenario.duration_min: expected a finite number, got nan",
    ),
    (_replace("duration_min = 60", ""), "scenario: 'duration_min' (or 'duration_s') is required"),
    (
        _replace('name = "minimal"', 'name = "minimal"\nseed = true'),
        "scenario.seed: expected an integer, got a boolean (true)",
    ),
    (
        _replace("[[fridges]]", "[[fridge]]"),
        ": unknown key 'fridge'; expected one of faults, freezers, fridges, pasteurisers, probes",
    ),
    (
        _replace('probe = "F1-air"', 'probe = "P1-ref"'),
        "fridges[0].probe: 'P1-ref' is already used as a probe (pasteurisers[0].reference_probe)",
    ),
    (
        _replace('id = "F1"', 'id = "P1"'),
        "fridges[0].id: 'P1' is already used as a device (pasteurisers[0].id)",
    ),
    (
        _replace('link = "mqtt"', 'link = "P1"'),
        "fridges[0].link: link 'P1' has the same id as a device (pasteurisers[0].id)",
    ),
    (_replace('id = "F1"', 'id = "F 1"'), "fridges[0].id: 'F 1' is not a valid id"),
    (
        _replace('id = "F1"', 'id = "F1"\nsetpoint_c = 30'),
        "fridges[0].setpoint_c: 30 is outside -5..10",
    ),
    (
        _replace('bottle_probes = ["P1-b1"]', 'bottle_probes = ["P1-b1"]\nbottles = 1'),
        "pasteurisers[0].bottle_probes: 1 bottle probes but only 0 bottles besides the reference",
    ),
    (
        _replace('bottle_probes = ["P1-b1"]', 'bottle_probes = "P1-b1"'),
        "pasteurisers[0].bottle_probes: expected an array of ids, got a string ('P1-b1')",
    ),
    (
        _replace(
            'link = "modbus-p1"',
            'link = "modbus-p1"\n[[pasteurisers.cycles]]\nstart_min = 1\n'
            "setpoint_c = 100\nhold_min = 30",
        ),
        "pasteurisers[0].cycles[0].setpoint_c: 100 is outside 40..90",
    ),
    (
        _replace(
            'link = "modbus-p1"',
            'link = "modbus-p1"\n[[pasteurisers.cycles]]\nstart_min = 1\n'
            "setpoint_c = 63\nhold = 30",
        ),
        "pasteurisers[0].cycles[0].hold: unknown key 'hold'; expected one of hold_min, hold_s, ",
    ),
    (
        MINIMAL + '[[probes]]\nid = "P2-ref"\nsigma_c = 0.1',
        "probes[0].id: 'P2-ref' is not a probe of any device; probes: P1-bath, P1-ref",
    ),
    (
        MINIMAL + '[[freezers]]\nid = "Z1"\nprobe = "Z1-air"\ndefrost_every_h = 0.5\n'
        "defrost_max_min = 40",
        "freezers[0].defrost_max_min: a defrost must be shorter than its interval",
    ),
    (
        '[scenario]\nname = "empty"\nduration_min = 5\n',
        "a scenario needs at least one pasteuriser, fridge or freezer",
    ),
    ("[[fridges]]\nid = 'F1'\nprobe = 'F1-air'\n", "scenario: the [scenario] table is required"),
    ("[scenario\nname = 'x'", "not valid TOML: "),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:50] for _, m in BAD])
def test_bad_scenarios_are_refused_naming_the_path(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)) as caught:
        parse_scenario(text, source="bad.toml")
    assert str(caught.value).startswith("bad.toml: ")


def test_error_carries_source_and_path_apart() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(_replace('id = "F1"', 'id = "F1"\nsetpoint_c = 30'), source="x.toml")
    assert (caught.value.source, caught.value.path) == ("x.toml", "fridges[0].setpoint_c")


def test_load_scenario_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError, match=re.escape(f"{missing}: cannot read the file")):
        load_scenario(missing)


def test_load_scenario_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_scenario(path).source == str(path)


def test_unknown_shipped_scenario_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match=r"shipped: .*normal-day"):
        load_shipped_scenario("abnormal-day")
