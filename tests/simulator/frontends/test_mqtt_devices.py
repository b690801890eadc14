"""What simulated devices publish, per preset: read back by the driver, faults included."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from config.mqtt_presets import PRESETS
from config.probes import MqttSource, Probe
from drivers.mqtt_payload import PayloadParser, PayloadRejected, RejectReason
from drivers.qualify import ReadingQualifier
from monitor.reading import Quality
from simulator.frontends.mqtt_devices import availability_message, render_message
from simulator.models.probe import ProbeFaultKind, ProbeOutput

WHEN = datetime(2026, 3, 2, 10, 15, 0, tzinfo=UTC)


def probe(fmt: str, unit: str = "C", probe_id: str = "p", **source: Any) -> Probe:
    source = {"kind": "mqtt", "topic": "dev-1/t", "format": fmt, **source}
    return Probe.model_validate({"id": probe_id, "source": source, "unit": unit})


def read_back(p: Probe, payload: bytes) -> float:
    assert isinstance(p.source, MqttSource)
    parsed = PayloadParser(p.source).parse(payload)
    return ReadingQualifier([p]).reading(p, parsed.value, 0, parsed.unit).value


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("number", {}, "C"),
    ("number", {}, "F"),
    ("json", {"json_path": "a.list[2].t", "unit_path": "a.unit"}, "F"),
    ("tasmota", {}, "C"),
    ("tasmota", {"sensor": "DS18B20-2", "sensor_id": "0316A2794C0F"}, "F"),
    ("zigbee2mqtt", {}, "C"),
    ("shelly_gen1", {}, "C"),
    ("shelly_gen1", {}, "F"),
    ("shelly_gen2", {}, "C"),
    ("shelly_gen2", {"sensor": "temperature:100"}, "C"),
    ("shelly_gen2", {"json_path": "params.temperature:0.tF"}, "C"),
    ("shelly", {}, "C"),
]


def test_every_preset_is_simulated() -> None:
    assert {fmt for fmt, _, _ in CASES} == set(PRESETS)


@pytest.mark.parametrize(("fmt", "source", "unit"), CASES)
def test_every_preset_round_trips_through_the_driver(
    fmt: str, source: dict[str, Any], unit: str
) -> None:
    p = probe(fmt, unit, **source)
    payload = render_message([(p, ProbeOutput(-18.37))], WHEN)
    assert payload is not None
    assert read_back(p, payload) == pytest.approx(-18.37, abs=0.01)


def test_the_messages_look_like_the_devices() -> None:
    one = probe("tasmota", "C", "a", sensor="DS18B20-1")
    two = probe("tasmota", "C", "b", sensor="DS18B20-2")
    tasmota = json.loads(
        render_message([(one, ProbeOutput(3.2)), (two, ProbeOutput(-19.5))], WHEN) or b""
    )
    assert tasmota["Time"] == "2026-03-02T10:15:00"
    assert tasmota["TempUnit"] == "C"
    assert tasmota["DS18B20-1"]["Temperature"] == 3.2
    assert tasmota["DS18B20-2"]["Temperature"] == -19.5
    assert tasmota["DS18B20-1"]["Id"] != tasmota["DS18B20-2"]["Id"]
    gen2 = json.loads(render_message([(probe("shelly_gen2"), ProbeOutput(3.1))], WHEN) or b"")
    assert gen2["method"] == "NotifyStatus"
    assert gen2["src"] == "dev-1"
    assert gen2["params"]["temperature:0"] == {"id": 0, "tC": 3.1, "tF": 37.58}
    assert render_message([(probe("shelly_gen1", "F"), ProbeOutput(4.0))], WHEN) == b"39.20"
    z2m = json.loads(render_message([(probe("zigbee2mqtt"), ProbeOutput(3.4))], WHEN) or b"")
    assert z2m["temperature"] == 3.4
    assert "battery" in z2m


def test_one_tasmota_sends_all_its_sensors_in_one_unit() -> None:
    one = probe("tasmota", "F", "a", sensor="DS18B20-1")
    two = probe("tasmota", "C", "b", sensor="DS18B20-2")
    payload = render_message([(one, ProbeOutput(0.0)), (two, ProbeOutput(-20.0))], WHEN)
    message = json.loads(payload or b"")
    assert message["TempUnit"] == "F"
    assert (message["DS18B20-1"]["Temperature"], message["DS18B20-2"]["Temperature"]) == (32, -4)
    assert payload is not None
    assert read_back(two, payload) == pytest.approx(-20.0)


def test_a_sensor_that_gives_no_answer_is_left_out() -> None:
    one = probe("tasmota", "C", "a", sensor="DS18B20-1")
    two = probe("tasmota", "C", "b", sensor="DS18B20-2")
    silent = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
    message = json.loads(render_message([(one, ProbeOutput(3.2)), (two, silent)], WHEN) or b"")
    assert "DS18B20-2" not in message
    assert render_message([(one, silent), (two, silent)], WHEN) is None


@pytest.mark.parametrize(("fmt", "source", "unit"), CASES)
def test_an_open_circuit_is_sent_as_the_device_sends_it(
    fmt: str, source: dict[str, Any], unit: str
) -> None:
    p = probe(fmt, unit, **source)
    payload = render_message([(p, ProbeOutput(-127.0, ProbeFaultKind.OPEN_CIRCUIT))], WHEN)
    assert payload is not None
    assert isinstance(p.source, MqttSource)
    parsed = PayloadParser(p.source).parse(payload)
    assert parsed.value == -127.0
    reading = ReadingQualifier([p]).reading(p, parsed.value, 0, parsed.unit)
    assert reading.quality is Quality.FAULT


@pytest.mark.parametrize(("fmt", "source", "unit"), CASES)
def test_a_device_exception_is_a_message_without_the_temperature(
    fmt: str, source: dict[str, Any], unit: str
) -> None:
    p = probe(fmt, unit, **source)
    payload = render_message([(p, ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION))], WHEN)
    assert payload is not None
    assert isinstance(p.source, MqttSource)
    with pytest.raises(PayloadRejected) as caught:
        PayloadParser(p.source).parse(payload)
    plain = p.source.preset.plain_number
    assert caught.value.reason is (
        RejectReason.NOT_A_NUMBER if plain else RejectReason.MISSING_VALUE
    )


def test_availability_messages_use_the_preset_words() -> None:
    lwt = probe("tasmota", availability_topic="tele/dev-1/LWT")
    assert availability_message(lwt, online=False) == ("tele/dev-1/LWT", b"Offline")
    assert availability_message(lwt, online=True) == ("tele/dev-1/LWT", b"Online")
    bridge = probe("zigbee2mqtt", availability_topic="zigbee2mqtt/bridge/state")
    assert availability_message(bridge, online=False) == (
        "zigbee2mqtt/bridge/state",
        b'{"state":"offline"}',
    )
    custom = probe("number", availability_topic="lab/status", offline="dead")
    assert availability_message(custom, online=False) == ("lab/status", b"dead")
    assert availability_message(custom, online=True) is None  # no word for "back" is known
    assert availability_message(probe("tasmota"), online=False) is None


def test_only_mqtt_probes_have_messages() -> None:
    serial = Probe.model_validate(
        {"id": "s", "source": {"kind": "serial", "line": "l", "field": "T"}}
    )
    with pytest.raises(ValueError, match="probe s is not an MQTT probe"):
        render_message([(serial, ProbeOutput(1.0))], WHEN)
