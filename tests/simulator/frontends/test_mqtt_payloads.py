import json
from datetime import UTC, datetime
from typing import Any

import pytest

from config.probes import MqttSource, Probe
from drivers.conversion import make_reading
from drivers.mqtt_payload import PayloadParser, PayloadRejected, RejectReason
from monitor.reading import Quality
from simulator.frontends.mqtt_payloads import render_payload
from simulator.models.probe import ProbeFaultKind, ProbeOutput

WHEN = datetime(2026, 5, 1, 10, 30, 5, tzinfo=UTC)


def probe(fmt: str, unit: str = "C", **source: Any) -> Probe:
    return Probe.model_validate(
        {"id": "p", "source": {"kind": "mqtt", "topic": "t", "format": fmt, **source}, "unit": unit}
    )


def round_trip(p: Probe, output: ProbeOutput) -> float:
    """What the driver makes of the payload the simulator publishes, in °C."""
    payload = render_payload(p, output, WHEN)
    assert payload is not None
    assert isinstance(p.source, MqttSource)
    parsed = PayloadParser(p.source).parse(payload)
    return make_reading(p, parsed.value, 0, parsed.unit).value


STYLES = [
    ("number", {}),
    ("tasmota", {}),
    ("tasmota", {"sensor": "DS18B20-2"}),
    ("zigbee2mqtt", {}),
    ("shelly", {}),
    ("shelly", {"json_path": "tF"}),
    ("json", {"json_path": "a.list[2].t", "unit_path": "a.unit"}),
]


# Zigbee2MQTT always publishes °C: a probe of it set to °F is refused with the settings.
UNITS = {"zigbee2mqtt": ("C",)}


CASES = [(fmt, source, unit) for fmt, source in STYLES for unit in UNITS.get(fmt, ("C", "F"))]


@pytest.mark.parametrize(("fmt", "source", "unit"), CASES)
def test_every_style_round_trips_through_the_driver(
    fmt: str, source: dict[str, Any], unit: str
) -> None:
    assert round_trip(probe(fmt, unit, **source), ProbeOutput(-18.37)) == pytest.approx(
        -18.37, abs=0.01
    )


def test_the_payloads_look_like_the_devices() -> None:
    tasmota = render_payload(probe("tasmota", "F"), ProbeOutput(4.0), WHEN)
    assert json.loads(tasmota or b"") == {
        "Time": "2026-05-01T10:30:05",
        "DS18B20": {"Id": "01144F2D3AAA", "Temperature": 39.2},
        "TempUnit": "F",
    }
    z2m = json.loads(render_payload(probe("zigbee2mqtt"), ProbeOutput(3.214), WHEN) or b"")
    assert z2m == {"battery": 97, "linkquality": 120, "voltage": 2995, "temperature": 3.21}
    shelly = json.loads(render_payload(probe("shelly", "F"), ProbeOutput(3.2), WHEN) or b"")
    assert shelly == {"id": 0, "tC": 3.2, "tF": 37.76}
    assert render_payload(probe("number", "F"), ProbeOutput(4.0), WHEN) == b"39.20"
    custom = render_payload(
        probe("json", json_path="a.list[2].t", unit_path="a.unit"), ProbeOutput(1.5), WHEN
    )
    assert json.loads(custom or b"") == {"a": {"list": [{}, {}, {"t": 1.5}], "unit": "C"}}


def test_no_answer_publishes_nothing() -> None:
    silent = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
    for fmt, source in STYLES:
        assert render_payload(probe(fmt, **source), silent, WHEN) is None


def test_open_circuit_publishes_the_sentinel_and_the_driver_flags_it() -> None:
    for fmt, source, unit in CASES:
        p = probe(fmt, unit, **source)
        payload = render_payload(p, ProbeOutput(-127.0, ProbeFaultKind.OPEN_CIRCUIT), WHEN)
        assert payload is not None
        assert isinstance(p.source, MqttSource)
        parsed = PayloadParser(p.source).parse(payload)
        assert make_reading(p, parsed.value, 0, parsed.unit).quality is Quality.FAULT


def test_a_device_exception_publishes_a_message_without_a_temperature() -> None:
    failed = ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION)
    expected = {"number": RejectReason.NOT_A_NUMBER}
    for fmt, source in STYLES:
        p = probe(fmt, **source)
        payload = render_payload(p, failed, WHEN)
        assert payload is not None
        assert isinstance(p.source, MqttSource)
        with pytest.raises(PayloadRejected) as caught:
            PayloadParser(p.source).parse(payload)
        assert caught.value.reason is expected.get(fmt, RejectReason.MISSING_VALUE)


def test_only_mqtt_probes_have_payloads() -> None:
    serial = Probe.model_validate(
        {"id": "s", "source": {"kind": "serial", "line": "l", "field": "T"}}
    )
    with pytest.raises(ValueError, match="probe s is not an MQTT probe"):
        render_payload(serial, ProbeOutput(1.0), WHEN)
