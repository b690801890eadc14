"""Every payload preset, availability topics and the trust rules, through a real Mosquitto."""

import asyncio
import contextlib
import logging
import tomllib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from config.links import MqttBroker
from config.mqtt_presets import PRESETS
from config.probes import Probe
from config.settings import Settings, settings_from_mapping
from drivers.factory import build_drivers
from drivers.mqtt_connect import MqttConnector
from drivers.mqtt_payload import RejectReason
from drivers.mqtt_subscriber import MqttSubscriber
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from monitor.reading import Quality
from simulator.frontends.mqtt_publisher import MqttFrontend
from simulator.models.probe import ProbeOutput
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.waiting import eventually

DRIVER_LOG = "test.mqtt.presets"


@contextlib.asynccontextmanager
async def running(subscriber: MqttSubscriber) -> AsyncIterator[MqttSubscriber]:
    task = asyncio.create_task(subscriber.run(), name="mqtt subscriber under test")
    try:
        await asyncio.wait_for(subscriber.subscribed.wait(), 10)
        yield subscriber
        assert not task.done(), "the subscriber stopped"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def publish(broker: MqttBroker, *messages: tuple[str, bytes], retain: bool = False) -> None:
    async with MqttConnector(broker, "test-device").client() as client:
        for topic, payload in messages:
            await client.publish(topic, payload, qos=1, retain=retain)


def subscriber(broker: MqttBroker, probes: list[Probe], sink: CollectingSink) -> MqttSubscriber:
    return MqttSubscriber(broker, probes, sink, SystemClock(), logger=logging.getLogger(DRIVER_LOG))


def documented_probes() -> list[Probe]:
    """The probe of each preset's documented settings block, and Tasmota's second sensor."""
    probes = [Probe.model_validate(tomllib.loads(p.config)["probes"][0]) for p in PRESETS.values()]
    second = tomllib.loads(PRESETS["tasmota"].config)["probes"][0]
    second["id"] = "F1-second"
    second["source"] |= {"sensor": "DS18B20-2", "sensor_id": "0316A2794C0F"}
    return [*probes, Probe.model_validate(second)]


async def test_the_vendor_payload_of_every_preset_is_read(mosquitto: MosquittoBroker) -> None:
    broker = mosquitto.settings()
    probes = documented_probes()
    sink = CollectingSink()
    async with running(subscriber(broker, probes, sink)) as sub:
        messages = []
        for probe in probes[: len(PRESETS)]:
            topic = probe.source.topic  # type: ignore[union-attr]
            messages.append((topic, PRESETS[probe.source.format].payload.encode()))  # type: ignore[union-attr]
        await publish(broker, *messages)
        await eventually(lambda: all(sink.for_probe(p.id) for p in probes))
    expected = {
        "bench": 3.21,
        "custom": 3.2,
        "F1-air": 3.2,
        "F1-second": -19.5,
        "F2-air": 3.4,
        "F3-air": 3.25,
        "F4-air": 3.1,
        "F5-air": 3.1,
    }
    for probe_id, value in expected.items():
        (reading,) = sink.for_probe(probe_id)
        assert (reading.value, reading.quality) == (value, Quality.OK), probe_id
    assert sub.counters.rejected_total() == 0


async def test_shelly_notifications_about_other_things_are_ignored_not_rejected(
    mosquitto: MosquittoBroker,
) -> None:
    broker = mosquitto.settings()
    probe = Probe.model_validate(tomllib.loads(PRESETS["shelly_gen2"].config)["probes"][0])
    topic = "shellyplusht-08b61fcb7f3c/events/rpc"
    sink = CollectingSink()
    event = b'{"method":"NotifyEvent","params":{"ts":1.0,"events":[{"event":"sleep"}]}}'
    battery = b'{"method":"NotifyStatus","params":{"devicepower:0":{"battery":{"percent":80}}}}'
    full = (
        b'{"method":"NotifyFullStatus","params":{"sys":{"uptime":9},'
        b'"temperature:0":{"id":0,"tC":-18.5,"tF":-1.3}}}'
    )
    async with running(subscriber(broker, [probe], sink)) as sub:
        await publish(broker, (topic, event), (topic, battery), (topic, full))
        await eventually(lambda: len(sink.for_probe(probe.id)) == 1)
        await eventually(lambda: sub.counters.ignored == 2)
    assert sink.for_probe(probe.id)[0].value == -18.5
    assert sub.counters.rejected_total() == 0


LAB_PROBES: list[dict[str, Any]] = [
    {
        "id": "T1",
        "unit": "F",
        "source": {"topic": "tele/fridge-1/SENSOR", "format": "tasmota", "sensor": "DS18B20-1"},
    },
    {
        "id": "T2",
        "unit": "F",
        "source": {"topic": "tele/fridge-1/SENSOR", "format": "tasmota", "sensor": "DS18B20-2"},
    },
    {"id": "Z1", "source": {"topic": "zigbee2mqtt/freezer-1", "format": "zigbee2mqtt"}},
    {
        "id": "S1",
        "unit": "F",
        "source": {"topic": "shellies/ht-1/sensor/temperature", "format": "shelly_gen1"},
    },
    {"id": "S2", "source": {"topic": "plusht-1/events/rpc", "format": "shelly_gen2"}},
    {"id": "S3", "source": {"topic": "plusht-2/status/temperature:0", "format": "shelly"}},
    {"id": "N1", "unit": "F", "source": {"topic": "lab/bench/temperature", "format": "number"}},
    {
        "id": "J1",
        "source": {
            "topic": "lab/custom",
            "format": "json",
            "json_path": "a.b[1].t",
            "unit_path": "a.u",
        },
    },
]
LAB_VALUES = {
    "T1": 3.25,
    "T2": -19.5,
    "Z1": -20.1,
    "S1": 4.5,
    "S2": 3.1,
    "S3": 2.9,
    "N1": 1.5,
    "J1": 5.0,
}


class FakeLab:
    def probe_output(self, probe_id: str) -> ProbeOutput:
        return ProbeOutput(LAB_VALUES[probe_id])

    def link_up(self, link_id: str) -> bool:
        raise LookupError(link_id)


def lab_settings(broker: MqttBroker) -> Settings:
    probes = [
        {
            **p,
            "source": {"kind": "mqtt", **p["source"]},
            "sample_period_s": 0.05,
            "stale_after_periods": 40,
        }
        for p in LAB_PROBES
    ]
    return Settings(mqtt=broker, probes=[Probe.model_validate(p) for p in probes])


async def test_the_simulator_publishes_every_preset_and_the_driver_reads_it(
    mosquitto: MosquittoBroker,
) -> None:
    broker = mosquitto.settings()
    settings = lab_settings(broker)
    sink = CollectingSink()
    sub = subscriber(broker, settings.probes, sink)
    async with running(sub), MqttFrontend(settings, FakeLab(), SystemClock()):
        await eventually(lambda: all(len(sink.for_probe(p)) >= 3 for p in LAB_VALUES))
    for probe_id, value in LAB_VALUES.items():
        for reading in sink.for_probe(probe_id):
            assert reading.value == pytest.approx(value, abs=0.01), probe_id
            assert reading.quality is Quality.OK, probe_id
    assert sink.for_probe("T2")[0].raw == pytest.approx(-3.1)  # Tasmota said °F
    assert sub.counters.rejected_total() == 0


AVAILABILITY: list[tuple[str, dict[str, Any], str, bytes]] = [
    (
        "tasmota",
        {"topic": "tele/fridge-1/SENSOR", "availability_topic": "tele/fridge-1/LWT"},
        '{"DS18B20":{"Temperature":3.2},"TempUnit":"C"}',
        b"Offline",
    ),
    (
        "zigbee2mqtt",
        {"topic": "zigbee2mqtt/fridge-2", "availability_topic": "zigbee2mqtt/bridge/state"},
        '{"temperature":3.4}',
        b'{"state":"offline"}',
    ),
    (
        "zigbee2mqtt",
        {"topic": "zigbee2mqtt/fridge-3", "availability_topic": "zigbee2mqtt/bridge/state"},
        '{"temperature":3.6}',
        b"offline",
    ),
    (
        "shelly_gen1",
        {"topic": "shellies/ht-1/sensor/temperature", "availability_topic": "shellies/ht-1/online"},
        "3.5",
        b"false",
    ),
]


@pytest.mark.parametrize(("fmt", "source", "reading", "offline"), AVAILABILITY)
async def test_offline_makes_the_probe_unavailable_at_once_with_the_reason(
    mosquitto: MosquittoBroker, fmt: str, source: dict[str, Any], reading: str, offline: bytes
) -> None:
    broker = mosquitto.settings()
    probe = Probe.model_validate(
        {"id": "p", "unit": "C", "source": {"kind": "mqtt", "format": fmt, **source}}
    )
    sink = CollectingSink()
    topic, lwt = source["topic"], source["availability_topic"]
    async with running(subscriber(broker, [probe], sink)) as sub:
        await publish(broker, (topic, reading.encode()))
        await eventually(lambda: sub.tracker.is_available("p"))
        await publish(broker, (lwt, offline))
        await eventually(lambda: not sub.tracker.is_available("p"))
        down = sink.changes[-1]
        assert down.available is False
        assert down.reason == f"device offline ({lwt}: {offline.decode()})"
        await publish(broker, (topic, reading.encode()))  # back: its next reading says so
        await eventually(lambda: sub.tracker.is_available("p"))
    assert [c.available for c in sink.changes] == [True, False, True]


async def test_a_retained_last_will_counts_when_the_driver_subscribes(
    mosquitto: MosquittoBroker,
) -> None:
    broker = mosquitto.settings()
    await publish(broker, ("tele/fridge-1/LWT", b"Offline"), retain=True)
    source = {"topic": "tele/fridge-1/SENSOR", "availability_topic": "tele/fridge-1/LWT"}
    probe = Probe.model_validate(
        {"id": "p", "source": {"kind": "mqtt", "format": "tasmota", **source}}
    )
    sink = CollectingSink()
    async with running(subscriber(broker, [probe], sink)):
        await eventually(lambda: bool(sink.changes))
    assert sink.changes[0].available is False
    assert sink.changes[0].reason == "device offline (tele/fridge-1/LWT: Offline)"


async def test_roles_reset_values_and_spikes_reach_the_driver(mosquitto: MosquittoBroker) -> None:
    broker = mosquitto.settings()
    settings = settings_from_mapping(
        {
            "mqtt": broker.model_dump(),
            "probes": [
                {
                    "id": "F1-air",
                    "source": {
                        "kind": "mqtt",
                        "topic": "tele/fridge-1/SENSOR",
                        "format": "tasmota",
                    },
                },
                {"id": "bath", "source": {"kind": "mqtt", "topic": "lab/bath", "format": "number"}},
            ],
            "enclosures": [{"id": "F1", "kind": "fridge", "probes": ["F1-air"]}],
            "pasteurisers": [{"id": "P1", "probes": [{"probe": "bath", "role": "bath"}]}],
        }
    )
    sink = CollectingSink()
    (task,) = build_drivers(settings, SystemClock(), sink)
    assert isinstance(task.driver, MqttSubscriber)

    def tasmota(value: float) -> tuple[str, bytes]:
        body = f'{{"DS18B20":{{"Temperature":{value}}},"TempUnit":"C"}}'
        return "tele/fridge-1/SENSOR", body.encode()

    async with running(task.driver):
        await publish(broker, tasmota(85.0), tasmota(3.0), tasmota(38.0), tasmota(55.0))
        await publish(broker, ("lab/bath", b"20.0"), ("lab/bath", b"63.0"), ("lab/bath", b"115"))
        await eventually(lambda: len(sink.readings) == 7)
    air = sink.for_probe("F1-air")
    assert [r.quality for r in air] == [Quality.FAULT, Quality.OK, Quality.SUSPECT, Quality.FAULT]
    assert air[0].detail == "reset value 85: DS18B20 power-on value"
    assert air[2].detail.startswith("jump of 35.0 °C in ")
    assert air[3].detail == "implausible 55 °C"
    bath = sink.for_probe("bath")
    assert [r.quality for r in bath] == [Quality.OK, Quality.OK, Quality.FAULT]


async def test_the_last_window_of_rejects_is_logged_when_the_driver_stops(
    mosquitto: MosquittoBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIVER_LOG)
    broker = mosquitto.settings()
    probe = Probe.model_validate({"id": "N1", "source": {"kind": "mqtt", "topic": "lab/n"}})
    sink = CollectingSink()
    async with running(subscriber(broker, [probe], sink)) as sub:
        await publish(broker, ("lab/n", b"x1"), ("lab/n", b"x2"), ("lab/n", b"x3"))
        await eventually(lambda: sub.counters.rejected_total("N1", RejectReason.NOT_A_NUMBER) == 3)
    logged = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert logged[0] == "probe N1 (lab/n): rejected (not a number): 'x1'"
    assert logged[-1].startswith("probe N1 (lab/n): 2 rejected (not a number) in the last ")
    assert logged[-1].endswith("latest: 'x3'")


class SwitchedLab(FakeLab):
    def __init__(self) -> None:
        self.mqtt_up = True

    def link_up(self, link_id: str) -> bool:
        return self.mqtt_up


async def test_the_simulated_devices_go_offline_with_the_lab_link(
    mosquitto: MosquittoBroker,
) -> None:
    broker = mosquitto.settings()
    source = {
        "kind": "mqtt",
        "topic": "tele/fridge-1/SENSOR",
        "format": "tasmota",
        "sensor": "DS18B20-1",
        "availability_topic": "tele/fridge-1/LWT",
    }
    probe = Probe.model_validate(
        {"id": "T1", "source": source, "sample_period_s": 0.05, "stale_after_periods": 200}
    )
    settings = Settings(mqtt=broker, probes=[probe])
    lab = SwitchedLab()
    sink = CollectingSink()
    sub = subscriber(broker, [probe], sink)
    async with running(sub), MqttFrontend(settings, lab, SystemClock()):
        await eventually(lambda: sub.tracker.is_available("T1"))
        lab.mqtt_up = False
        # At once, long before the probe's 10 s of silence.
        await eventually(lambda: not sub.tracker.is_available("T1"), timeout_s=2.0)
        lab.mqtt_up = True
        await eventually(lambda: sub.tracker.is_available("T1"))
    reasons = [c.reason for c in sink.changes if not c.available]
    assert reasons == ["device offline (tele/fridge-1/LWT: Offline)"]
