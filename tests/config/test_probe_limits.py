"""Each probe's limits follow its role: enclosure air, pasteuriser probe, or no equipment."""

from typing import Any

from config.probe_limits import limits_by_probe, probe_limits, probe_roles
from config.probes import Probe, Range
from config.settings import settings_from_mapping


def serial_probe(probe_id: str, field: str, **extra: Any) -> dict[str, Any]:
    return {"id": probe_id, "source": {"kind": "serial", "line": "s", "field": field}, **extra}


SETTINGS: dict[str, Any] = {
    "serial": [{"id": "s", "device": "/dev/null"}],
    "probes": [
        serial_probe("bath", "T1"),
        serial_probe("ref", "T2"),
        serial_probe("air", "T3"),
        serial_probe("spare", "T4"),
        serial_probe("tuned", "T5", plausible_range={"low": -60, "high": 40}, max_step_c=8),
    ],
    "pasteurisers": [
        {
            "id": "P1",
            "probes": [{"probe": "bath", "role": "bath"}, {"probe": "ref", "role": "reference"}],
        }
    ],
    "enclosures": [
        {"id": "F1", "kind": "fridge", "probes": ["air"]},
        {"id": "Z1", "kind": "freezer", "probes": ["tuned"]},
    ],
}


def test_the_role_of_a_probe_is_the_equipment_that_owns_it() -> None:
    roles = probe_roles(settings_from_mapping(SETTINGS))
    assert roles == {
        "bath": "pasteuriser",
        "ref": "pasteuriser",
        "air": "enclosure",
        "spare": "unassigned",
        "tuned": "enclosure",
    }


def test_defaults_by_role() -> None:
    limits = limits_by_probe(settings_from_mapping(SETTINGS))
    air, bath, spare = limits["air"], limits["bath"], limits["spare"]
    assert (air.plausible.low, air.plausible.high, air.max_step_c) == (-50, 50, 15.0)
    assert (air.measuring.low, air.measuring.high) == (-50, 50)
    assert (bath.plausible.low, bath.plausible.high, bath.max_step_c) == (-10, 110, None)
    assert (bath.measuring.low, bath.measuring.high) == (-10, 110)
    assert (spare.plausible.low, spare.plausible.high, spare.max_step_c) == (-90, 150, None)
    assert (spare.measuring.low, spare.measuring.high) == (-50, 110)


def test_settings_on_the_probe_win_over_the_role() -> None:
    tuned = limits_by_probe(settings_from_mapping(SETTINGS))["tuned"]
    assert tuned.plausible == Range(low=-60, high=40)
    assert tuned.measuring == Range(low=-50, high=40)
    assert tuned.max_step_c == 8


def mqtt_probe(fmt: str, **extra: Any) -> Probe:
    source = {"kind": "mqtt", "topic": "t/x", "format": fmt, **extra.pop("source", {})}
    return Probe.model_validate({"id": "m", "source": source, **extra})


def test_reset_values_follow_the_sensor_setting_or_the_preset() -> None:
    ds = Probe.model_validate(serial_probe("d", "T1", sensor="ds18b20"))
    assert [r.celsius for r in probe_limits(ds).reset_values] == [85.0, -127.0]
    assert probe_limits(mqtt_probe("tasmota")).sensor == "ds18b20"
    assert probe_limits(mqtt_probe("tasmota", source={"sensor": "DS18B20-2"})).sensor == "ds18b20"
    assert probe_limits(mqtt_probe("tasmota", source={"sensor": "SHT3X"})).reset_values == ()
    gen1 = probe_limits(mqtt_probe("shelly_gen1", unit="C"))
    assert [r.celsius for r in gen1.reset_values] == [-99.5]
    assert probe_limits(Probe.model_validate(serial_probe("x", "T1"))).reset_values == ()
