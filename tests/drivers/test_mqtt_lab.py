"""The MQTT driver reading the simulated lab of a shipped scenario, through a real Mosquitto."""

import asyncio
import contextlib
import time
from collections import defaultdict
from pathlib import Path

from config.loading import load_settings
from drivers.mqtt_subscriber import MqttSubscriber
from drivers.sink import CollectingSink
from monitor.clock import ScaledClock
from monitor.reading import Quality
from simulator.frontends.mqtt_publisher import MqttFrontend
from simulator.lab import Lab
from simulator.models.probe import ProbeOutput
from simulator.runner import run_lab
from simulator.scenario import load_shipped_scenario
from tests.fixtures.mosquitto import MosquittoBroker

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "simulator.toml"
MQTT_PROBES = ("F1-air", "F2-air", "Z1-air")


class RecordingLab:
    """The real lab, noting every value the front-end was given."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.given: dict[str, list[float]] = defaultdict(list)

    def probe_output(self, probe_id: str) -> ProbeOutput:
        output = self.lab.probe_output(probe_id)
        if output.value_c is not None:
            self.given[probe_id].append(output.value_c)
        return output

    def link_up(self, link_id: str) -> bool:
        return self.lab.link_up(link_id)


async def test_the_example_settings_and_normal_day_over_mosquitto(
    mosquitto: MosquittoBroker,
) -> None:
    example = load_settings(EXAMPLE)
    assert example.mqtt is not None
    broker = example.mqtt.model_copy(
        update={"port": mosquitto.port, "backoff": mosquitto.settings().backoff}
    )
    settings = example.model_copy(update={"mqtt": broker})
    clock = ScaledClock(speed=60.0)
    lab = RecordingLab(Lab(load_shipped_scenario("normal-day")))
    sink = CollectingSink()
    subscriber = MqttSubscriber(broker, settings.probes, sink, clock)
    tasks = [
        asyncio.create_task(run_lab(lab.lab, clock), name="lab"),
        asyncio.create_task(subscriber.run(), name="mqtt subscriber"),
    ]
    try:
        await asyncio.wait_for(subscriber.subscribed.wait(), 10)
        async with MqttFrontend(settings, lab, clock):
            deadline = time.monotonic() + 10
            while any(len(sink.for_probe(p)) < 4 for p in MQTT_PROBES):
                assert time.monotonic() < deadline, "too few readings"
                await asyncio.sleep(0.02)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert subscriber.topics == [
        "shellies/freezer-1/status/temperature:0",
        "tele/fridge-2/SENSOR",
        "zigbee2mqtt/fridge-1",
    ]
    for probe_id in MQTT_PROBES:
        for r in sink.for_probe(probe_id):
            assert r.quality is Quality.OK
            assert min(abs(r.value - v) for v in lab.given[probe_id]) <= 0.0051
    assert all(0 < r.value < 8 for p in ("F1-air", "F2-air") for r in sink.for_probe(p))
    assert all(r.value < -15 for r in sink.for_probe("Z1-air"))
    assert subscriber.counters.rejected_total() == 0
