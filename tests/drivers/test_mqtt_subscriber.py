"""The MQTT driver against a real Mosquitto, fed by the simulator's MQTT front-end."""

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from config.links import MqttBroker
from config.probes import Probe
from config.settings import Settings
from drivers.mqtt_connect import MqttConnector
from drivers.mqtt_payload import RejectReason
from drivers.mqtt_subscriber import MqttSubscriber
from drivers.sink import CollectingSink
from monitor.clock import ScaledClock, SystemClock
from monitor.reading import Quality
from simulator.frontends.mqtt_publisher import MqttFrontend
from simulator.models.probe import ProbeFaultKind, ProbeOutput
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.tls_certs import make_ca
from tests.fixtures.waiting import eventually, running

DRIVER_LOG = "test.mqtt.driver"

STYLES: list[dict[str, Any]] = [
    {"id": "F1", "source": {"topic": "zigbee2mqtt/fridge-1", "format": "zigbee2mqtt"}},
    {"id": "F2", "source": {"topic": "tele/fridge-2/SENSOR", "format": "tasmota"}, "unit": "F"},
    {"id": "Z1", "source": {"topic": "shellies/freezer-1/temperature:0", "format": "shelly"}},
    {"id": "N1", "source": {"topic": "lab/bench/temperature", "format": "number"}, "unit": "F"},
    {
        "id": "J1",
        "source": {
            "topic": "lab/custom",
            "format": "json",
            "json_path": "sensors[1].value",
            "unit_path": "meta.unit",
        },
        "unit": "F",
    },
]
TRUE_VALUES = {"F1": 3.21, "F2": 4.5, "Z1": -19.75, "N1": 2.25, "J1": -0.5}


class FakeLab:
    def __init__(self, outputs: dict[str, ProbeOutput]) -> None:
        self.outputs = outputs
        self.mqtt_up = True

    def probe_output(self, probe_id: str) -> ProbeOutput:
        return self.outputs[probe_id]

    def link_up(self, link_id: str) -> bool:
        if link_id != "mqtt":
            raise LookupError(link_id)
        return self.mqtt_up


def probes(period_s: float = 0.05, **extra: Any) -> list[Probe]:
    return [
        Probe.model_validate(
            {
                **style,
                "source": {"kind": "mqtt", **style["source"]},
                "sample_period_s": period_s,
                "stale_after_periods": 40,
                **extra,
            }
        )
        for style in STYLES
    ]


def lab() -> FakeLab:
    return FakeLab({probe_id: ProbeOutput(value) for probe_id, value in TRUE_VALUES.items()})


def subscriber(broker: MqttBroker, sink: CollectingSink, **extra: Any) -> MqttSubscriber:
    return MqttSubscriber(
        broker, probes(), sink, SystemClock(), logger=logging.getLogger(DRIVER_LOG), **extra
    )


async def test_every_payload_style_end_to_end_with_password_and_tls(
    mosquitto_tls: MosquittoBroker,
) -> None:
    broker = mosquitto_tls.settings()
    sink = CollectingSink()
    sub = subscriber(broker, sink)
    settings = Settings(mqtt=broker, probes=probes())
    async with running(sub):
        await asyncio.wait_for(sub.subscribed.wait(), 10)
        async with MqttFrontend(settings, lab(), SystemClock()) as frontend:
            await eventually(lambda: all(len(sink.for_probe(p)) >= 3 for p in TRUE_VALUES))
    for probe_id, value in TRUE_VALUES.items():
        for reading in sink.for_probe(probe_id):
            assert reading.value == pytest.approx(value, abs=0.01), probe_id
            assert reading.quality is Quality.OK
    assert sink.for_probe("N1")[0].raw == pytest.approx(36.05)  # published in °F
    assert sink.for_probe("J1")[0].raw == pytest.approx(31.1)
    assert sub.counters.rejected_total() == 0
    assert frontend.counters.published >= 15
    assert sub.connector.address.startswith("mqtts://")


async def test_faults_of_the_lab_reach_the_driver(mosquitto: MosquittoBroker) -> None:
    broker = mosquitto.settings()
    sink = CollectingSink()
    sub = subscriber(broker, sink)
    fake = lab()
    fake.outputs["F2"] = ProbeOutput(-127.0, ProbeFaultKind.OPEN_CIRCUIT)
    fake.outputs["F1"] = ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION)
    fake.outputs["Z1"] = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
    settings = Settings(mqtt=broker, probes=probes())
    async with running(sub):
        await asyncio.wait_for(sub.subscribed.wait(), 10)
        async with MqttFrontend(settings, fake, SystemClock()) as frontend:
            await eventually(lambda: len(sink.for_probe("F2")) >= 2)
            await eventually(lambda: sub.counters.rejected_total("F1") >= 2)
            fake.mqtt_up = False
            silent = frontend.counters.silent
            await eventually(lambda: frontend.counters.silent >= silent + 10)
            received = sub.counters.received
            await asyncio.sleep(0.1)
            assert sub.counters.received == received  # link down: nothing published
    f2 = sink.for_probe("F2")[-1]
    assert f2.quality is Quality.FAULT
    assert f2.detail == "fault value -127"
    assert sub.counters.rejected_total("F1", RejectReason.MISSING_VALUE) >= 2
    assert sink.for_probe("Z1") == []


async def test_retained_messages_are_not_taken_as_fresh_values(mosquitto: MosquittoBroker) -> None:
    broker = mosquitto.settings()
    connector = MqttConnector(broker, "test-publisher")
    async with connector.client() as client:
        await client.publish("lab/bench/temperature", b"99.5", qos=1, retain=True)
    sink = CollectingSink()
    sub = subscriber(broker, sink)
    async with running(sub):
        await asyncio.wait_for(sub.subscribed.wait(), 10)
        await eventually(lambda: sub.counters.retained_ignored == 1)
        async with connector.client() as client:
            await client.publish("lab/bench/temperature", b"37.5", qos=1, retain=True)
        await eventually(lambda: len(sink.for_probe("N1")) == 1)
    assert sink.for_probe("N1")[0].value == pytest.approx(3.0556, abs=0.001)  # 37.5 °F
    assert sub.counters.received == 2


BAD_PAYLOADS: list[tuple[bytes, RejectReason]] = [
    (b'{"temperature":', RejectReason.NOT_JSON),
    (b'{"temperature":NaN}', RejectReason.NOT_FINITE),
    (b'{"temperature":"3.2"}', RejectReason.WRONG_TYPE),
    (b'{"temperature":true}', RejectReason.WRONG_TYPE),
    (b'{"battery":97}', RejectReason.MISSING_VALUE),
    (b"", RejectReason.EMPTY),
    (b"\xff\xfe\x00", RejectReason.NOT_UTF8),
    (b"x" * 20000, RejectReason.TOO_LARGE),
    (b'{"temperature":1,"temperature":2}', RejectReason.DUPLICATE_KEY),
    (b"offline", RejectReason.NOT_JSON),
]


async def test_hundreds_of_mixed_bad_and_good_payloads(
    mosquitto_password: MosquittoBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIVER_LOG)
    broker = mosquitto_password.settings()
    sink = CollectingSink()
    sub = subscriber(broker, sink)
    expected: dict[RejectReason, int] = {}
    good = 0
    async with running(sub):
        await asyncio.wait_for(sub.subscribed.wait(), 10)
        async with MqttConnector(broker, "test-publisher").client() as client:
            for i in range(400):
                if i % 4 == 0:
                    payload = f'{{"temperature":{i / 100:.2f},"battery":90}}'.encode()
                    good += 1
                else:
                    payload, reason = BAD_PAYLOADS[i % len(BAD_PAYLOADS)]
                    expected[reason] = expected.get(reason, 0) + 1
                await client.publish("zigbee2mqtt/fridge-1", payload, qos=1)
        await eventually(lambda: sub.counters.received == 400)
    assert sub.counters.accepted == good == 100
    assert [r.value for r in sink.for_probe("F1")] == [i / 100 for i in range(0, 400, 4)]
    for reason, count in expected.items():
        assert sub.counters.rejected_total("F1", reason) == count, reason
    assert sub.counters.rejected_total() == 300
    logged = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    # The first of each reason at once; the rest summarised when the driver stops.
    assert len(logged) == 2 * len(expected)
    assert any("probe F1 (zigbee2mqtt/fridge-1): rejected (not finite)" in m for m in logged)
    for reason, count in expected.items():
        summary = f"probe F1 (zigbee2mqtt/fridge-1): {count - 1} rejected ({reason}) in the last"
        assert any(m.startswith(summary) for m in logged), reason


async def test_broker_restart_reconnects_resubscribes_and_probes_come_back_once(
    mosquitto: MosquittoBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=DRIVER_LOG)
    broker = mosquitto.settings()
    sink = CollectingSink()
    sub = subscriber(broker, sink)
    settings = Settings(mqtt=broker, probes=probes())
    async with running(sub), MqttFrontend(settings, lab(), SystemClock()) as frontend:
        await eventually(lambda: all(sub.tracker.is_available(p) for p in TRUE_VALUES))
        await asyncio.to_thread(mosquitto.restart)
        await eventually(lambda: sub.counters.connections >= 2)
        await eventually(lambda: frontend.counters.connections >= 2)
        restarted = len(sink.readings)
        await eventually(lambda: all(sub.tracker.is_available(p) for p in TRUE_VALUES))
        await eventually(lambda: len(sink.readings) >= restarted + 10)
    messages = [r.getMessage() for r in caplog.records]
    for probe_id in TRUE_VALUES:
        down = [m for m in messages if m.startswith(f"probe {probe_id}: unavailable")]
        assert len(down) == 1, down
        assert f"mqtt://127.0.0.1:{mosquitto.port}" in down[0]
        assert messages.count(f"probe {probe_id}: available again") == 1
    assert any(m.startswith("MQTT mqtt://127.0.0.1") and "connected again" in m for m in messages)
    changes = [(c.probe_id, c.available) for c in sink.changes if c.probe_id == "F1"]
    assert changes == [("F1", True), ("F1", False), ("F1", True)]


async def test_a_wrong_password_is_named_and_retried_with_backoff(
    mosquitto_password: MosquittoBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=DRIVER_LOG)
    broker = mosquitto_password.settings(password="not the password")
    sink = CollectingSink()
    sub = subscriber(broker, sink)
    async with running(sub):
        await eventually(lambda: sub.counters.connect_failures >= 4)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "refused the connection: [code:135] Not authorized" in errors[0]
    assert "check mqtt.username and the password" in errors[0]
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    delays = [m.rsplit("retrying in ", 1)[1] for m in retries]
    assert delays[:4] == ["0.05 s", "0.1 s", "0.2 s", "0.2 s"]  # doubling up to the cap
    assert {c.available for c in sink.changes} == {False}
    assert sub.counters.connections == 0


async def test_an_untrusted_certificate_is_named_and_retried(
    mosquitto_tls: MosquittoBroker, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.ERROR, logger=DRIVER_LOG)
    stranger = make_ca(tmp_path, "some other CA")
    broker = mosquitto_tls.settings(tls={"ca_file": stranger.cert_file})
    sub = subscriber(broker, CollectingSink())
    async with running(sub):
        await eventually(lambda: sub.counters.connect_failures >= 3)
    errors = [r.getMessage() for r in caplog.records]
    assert len(errors) == 1
    assert "its TLS certificate is not trusted" in errors[0]
    assert "CERTIFICATE_VERIFY_FAILED" in errors[0]
    assert "check mqtt.tls.ca_file" in errors[0]


async def test_plain_mqtt_client_sees_messages_the_simulator_publishes(
    mosquitto: MosquittoBroker,
) -> None:
    # The simulator's messages are ordinary MQTT: any client can read them, unretained.
    broker = mosquitto.settings()
    settings = Settings(mqtt=broker, probes=probes())
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as client:
        await client.subscribe("zigbee2mqtt/#", qos=1)
        async with MqttFrontend(settings, lab(), SystemClock()):
            message = await asyncio.wait_for(anext(aiter(client.messages)), 10)
    assert str(message.topic) == "zigbee2mqtt/fridge-1"
    assert message.retain is False
    assert b'"temperature":3.21' in message.payload


async def test_a_silent_probe_goes_unavailable_and_comes_back(
    mosquitto: MosquittoBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIVER_LOG)
    clock = ScaledClock(speed=20.0)  # 1 s periods, 3 s silence: 0.15 s of real time
    broker = mosquitto.settings()
    settings = Settings(mqtt=broker, probes=probes(period_s=1.0, stale_after_periods=3))
    sink = CollectingSink()
    sub = MqttSubscriber(broker, settings.probes, sink, clock, logger=logging.getLogger(DRIVER_LOG))
    fake = lab()
    async with running(sub), MqttFrontend(settings, fake, clock):
        await eventually(lambda: sub.tracker.is_available("Z1"))
        fake.outputs["Z1"] = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
        await eventually(lambda: not sub.tracker.is_available("Z1"))
        assert sub.tracker.is_available("F1")
        fake.outputs["Z1"] = ProbeOutput(-20.0)
        await eventually(lambda: sub.tracker.is_available("Z1"))
    z1 = [r.getMessage() for r in caplog.records if r.getMessage().startswith("probe Z1")]
    assert len(z1) == 2
    assert z1[0].startswith("probe Z1: unavailable: no data for ")
    assert z1[1] == "probe Z1: available again"
