"""MQTT payload presets in the settings: defaults each preset gives, and what it refuses."""

import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from config.mqtt_presets import PRESETS, MqttPreset
from config.probes import MqttSource, Probe


def probe(fmt: str, **source: Any) -> Probe:
    extra = source.pop("probe", {})
    data = {"id": "p", "source": {"kind": "mqtt", "topic": "t/x", "format": fmt, **source}}
    return Probe.model_validate(data | extra)


def refusal(fmt: str, **source: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        probe(fmt, **source)
    return "; ".join(str(e["msg"]) for e in caught.value.errors())


def test_the_registry_holds_the_documented_presets() -> None:
    assert set(PRESETS) == {
        "number",
        "json",
        "tasmota",
        "zigbee2mqtt",
        "shelly_gen1",
        "shelly_gen2",
        "shelly",
    }


@pytest.mark.parametrize("preset", PRESETS.values(), ids=list(PRESETS))
def test_every_documented_config_block_is_valid_settings(preset: MqttPreset) -> None:
    (block,) = tomllib.loads(preset.config)["probes"]
    source = Probe.model_validate(block).source
    assert isinstance(source, MqttSource)
    assert source.format == preset.name


def test_each_preset_says_where_the_temperature_is() -> None:
    single = probe("tasmota").source
    assert isinstance(single, MqttSource)
    assert single.resolved_json_path() == "DS18B20.Temperature"
    tasmota = probe("tasmota", sensor="DS18B20-2").source
    assert isinstance(tasmota, MqttSource)
    assert (tasmota.resolved_json_path(), tasmota.resolved_unit_path()) == (
        "DS18B20-2.Temperature",
        "TempUnit",
    )
    gen2 = probe("shelly_gen2").source
    assert isinstance(gen2, MqttSource)
    assert gen2.sensor == "temperature:0"
    assert gen2.resolved_json_path() == "params.temperature:0.tC"
    addon = probe("shelly_gen2", sensor="temperature:100").source
    assert isinstance(addon, MqttSource)
    assert addon.resolved_json_path() == "params.temperature:100.tC"
    z2m = probe("zigbee2mqtt").source
    assert isinstance(z2m, MqttSource)
    assert z2m.resolved_json_path() == "temperature"
    gen1 = probe("shelly_gen1", probe={"unit": "C"}).source
    assert isinstance(gen1, MqttSource)
    assert gen1.resolved_json_path() is None


def test_shelly_gen1_has_no_default_unit() -> None:
    assert 'set unit = "C" or unit = "F"' in refusal("shelly_gen1")
    assert probe("shelly_gen1", probe={"unit": "F"}).unit == "F"
    assert probe("shelly_gen1", probe={"unit": "C"}).unit == "C"


def test_zigbee2mqtt_is_always_celsius() -> None:
    assert "always publishes °C" in refusal("zigbee2mqtt", probe={"unit": "F"})


def test_sensor_id_is_for_tasmota_only() -> None:
    assert "sensor_id is a Tasmota sensor's Id" in refusal("zigbee2mqtt", sensor_id="01")
    source = probe("tasmota", sensor="DS18B20-1", sensor_id="01144F2D3AAA").source
    assert isinstance(source, MqttSource)
    assert source.sensor_id == "01144F2D3AAA"


@pytest.mark.parametrize(
    ("fmt", "topic", "word"),
    [
        ("tasmota", "tele/fridge-1/LWT", "Offline"),
        ("zigbee2mqtt", "zigbee2mqtt/bridge/state", "offline"),
        ("shelly_gen1", "shellies/shellyht-6A1B2C/online", "false"),
        ("shelly_gen2", "shellyplusht-08b61fcb7f3c/online", "false"),
    ],
)
def test_the_offline_word_comes_from_the_preset(fmt: str, topic: str, word: str) -> None:
    p = probe(fmt, availability_topic=topic, probe={"unit": "C"})
    assert isinstance(p.source, MqttSource)
    assert p.source.offline_word() == word


def test_availability_rules() -> None:
    assert "say which payload means the device is gone" in refusal(
        "number", availability_topic="lab/bench/status"
    )
    custom = probe("number", availability_topic="lab/bench/status", offline="dead").source
    assert isinstance(custom, MqttSource)
    assert custom.offline_word() == "dead"
    assert "name the topic" in refusal("tasmota", offline="Offline")
    assert "no wildcards" in refusal("tasmota", availability_topic="tele/+/LWT")
    assert "must differ from the value topic" in refusal("tasmota", availability_topic="t/x")
    plain = probe("tasmota").source
    assert isinstance(plain, MqttSource)
    assert plain.offline_word() is None


def test_paths_are_checked_when_the_settings_are_read() -> None:
    assert "empty key in segment 2" in refusal("json", json_path="a..b")
    assert "bad segment" in refusal("json", json_path="a[x]")
    assert "empty key" in refusal("tasmota", unit_path="TempUnit.")
    assert "a name without '.'" in refusal("tasmota", sensor="DS18B20.1")
    assert "is a bare number" in refusal("shelly_gen1", json_path="x", probe={"unit": "C"})
    assert "is a bare number" in refusal("number", unit_path="u")


def test_an_unknown_format_is_refused() -> None:
    assert "Input should be" in refusal("shelly_gen3")


def readme_section() -> str:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## MQTT probes\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


@pytest.mark.parametrize("preset", PRESETS.values(), ids=list(PRESETS))
def test_the_readme_shows_each_preset_as_the_registry_has_it(preset: MqttPreset) -> None:
    section = readme_section()
    assert preset.config in section
    assert preset.payload in section
    if preset.availability is not None:
        assert preset.availability.topic in section


def test_every_settings_example_in_the_readme_section_is_valid() -> None:
    blocks = readme_section().split("```toml\n")[1:]
    assert len(blocks) >= len(PRESETS) + 2
    for block in blocks:
        document = tomllib.loads(block.split("```", 1)[0])
        for probe in document.get("probes", []):
            Probe.model_validate(probe)
