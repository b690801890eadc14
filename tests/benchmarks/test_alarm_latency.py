"""Alarm latency: a fridge reading past its gross limit, published on MQTT, to the alarm message.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_alarm_latency.py -s``. A real
Mosquitto on loopback; the daemon and the simulated rest of the lab (the pasteuriser over
Modbus TCP at 1 Hz, the second fridge and the freezer over MQTT every 10 s) run in this
process at 1x, with the journal written as in production (default commit interval and
checkpoints, fsync on commit). The benchmark plays fridge F1's Zigbee sensor: it alternates a
reading past the gross limit (8 °C: alarmed at once, no delay) with one back in the band, so
``band:F1`` goes active and returns to normal over and over. Latency runs from just before
the sensor's publish to the receipt of the ``raised`` message on
``<prefix>/alarms/notifications`` by another client; the retained
``<prefix>/alarms/state/band:F1`` message that follows it is timed too. Goal: p99 <= 50 ms.
The figures are printed; only the record is asserted (every raise notified and journaled).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import statistics
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt
import pytest

from config import Settings
from config.loading import validate_mapping
from monitor.clock import make_clock
from monitor.journal import JournalReader, keygen, verify_journal
from monitor.service.daemon import Daemon
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.monitor.service.lab_settings import EXAMPLE

pytestmark = pytest.mark.benchmark

SAMPLES = 300
WARM_UP = 5
GOAL_P99_MS = 50.0
ALARM = "band:F1"
F1_TOPIC = "zigbee2mqtt/fridge-1"
HOT_C = 9.0  # past the fridge's gross limit of 8 °C
BACK_C = 3.0  # in the band and past the 0.5 °C deadband, so the excursion ends
# Random pauses between samples, so that readings land at every phase of the daemon's 1 s
# commit and tick and of the 1 Hz Modbus polls rather than in step with one of them.
PAUSE_S = (0.0, 0.2)
TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class Arrival:
    topic: str
    at: float  # perf_counter at receipt
    wall_ns: int
    body: dict[str, object]


@dataclass(frozen=True, slots=True)
class Topics:
    notifications: str
    state: str


@dataclass(slots=True)
class Sample:
    notification_ms: float
    state_ms: float
    inbound_ms: float  # publish to the daemon's stamp on the reading
    outbound_ms: float  # that stamp to the notification's receipt


@dataclass(slots=True)
class GcPauses:
    """Collector pauses by generation, in ms: a full collection stops the daemon's loop."""

    by_generation: dict[int, list[float]] = field(default_factory=dict)

    def summary(self) -> str:
        parts = []
        for generation, pauses in sorted(self.by_generation.items()):
            parts.append(f"gen{generation} {len(pauses)} (longest {max(pauses):.1f} ms)")
        return ", ".join(parts) or "none"


@contextmanager
def gc_pauses() -> Iterator[GcPauses]:
    pauses = GcPauses()
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            took = (time.perf_counter() - started[0]) * 1000
            pauses.by_generation.setdefault(info["generation"], []).append(took)

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


def bench_settings(tmp_path: Path, mqtt_port: int) -> tuple[Settings, Settings]:
    """The daemon's settings, and the simulator's: the same lab, with F1 left to the benchmark."""
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["clock"]["speed"] = 1.0
    data["mqtt"]["port"] = mqtt_port
    data["modbus"][0]["port"] = free_port()
    data["journal"] = {"path": str(tmp_path / "journal.sqlite")}
    data["signing"] = {"key_file": str(tmp_path / "device.key")}
    data["users"] = {"path": str(tmp_path / "users.sqlite")}
    data["web"] = {"host": "127.0.0.1", "port": 0}
    # Hundreds of raises within the flood window would be grouped into flood messages after
    # the tenth; the benchmark times single-alarm notifications.
    data["alarms"] = {"flood_count": 1_000_000}
    daemon_settings = validate_mapping(data, str(EXAMPLE))
    # The simulator serves F1 on a topic nobody reads, so its values cannot end an
    # excursion the benchmark started (or start one).
    f1 = next(p for p in data["probes"] if p["id"] == "F1-air")
    f1["source"] = {**f1["source"], "topic": "bench/unheard/fridge-1"}
    return daemon_settings, validate_mapping(data, str(EXAMPLE))


def z2m_payload(celsius: float) -> bytes:
    return json.dumps({"battery": 97, "linkquality": 120, "temperature": celsius}).encode()


async def listen(client: aiomqtt.Client, arrivals: asyncio.Queue[Arrival]) -> None:
    async for message in client.messages:
        at, wall_ns = time.perf_counter(), time.time_ns()
        if message.retain or not isinstance(message.payload, bytes | bytearray):
            continue
        arrivals.put_nowait(Arrival(str(message.topic), at, wall_ns, json.loads(message.payload)))


async def next_on(arrivals: asyncio.Queue[Arrival], topic: str) -> Arrival:
    """The next message on ``topic``; messages about other alarms are passed over."""
    while True:
        arrival = await asyncio.wait_for(arrivals.get(), TIMEOUT_S)
        about = arrival.body.get("alarms", [arrival.body.get("key")])
        if arrival.topic == topic and isinstance(about, list) and ALARM in about:
            return arrival


async def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.001)


def quantiles(values: list[float]) -> tuple[float, float, float, float]:
    """p50, p95, p99 and max."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98], max(values)


def report(samples: list[Sample], pauses: GcPauses, load: tuple[float, float]) -> str:
    legs = [
        ("publish -> notification received", [s.notification_ms for s in samples]),
        ("publish -> state message received", [s.state_ms for s in samples]),
        ("publish -> daemon's reading stamp", [s.inbound_ms for s in samples]),
        ("stamp -> notification received", [s.outbound_ms for s in samples]),
    ]
    lines = [
        f"\nalarm latency, {len(samples)} gross-limit excursions of F1 at 1x (daemon, simulator "
        "and clients in one process, real Mosquitto on loopback), ms:"
    ]
    for label, values in legs:
        p50, p95, p99, top = quantiles(values)
        lines.append(f"  {label:34} p50 {p50:6.2f}  p95 {p95:6.2f}  p99 {p99:6.2f}  max {top:6.2f}")
    p99 = quantiles(legs[0][1])[2]
    verdict = "met" if p99 <= GOAL_P99_MS else "MISSED"
    lines.append(f"  goal p99 <= {GOAL_P99_MS:.0f} ms to the notification: {verdict}")
    # The process holds pytest's objects as well as the daemon's: its full collections take
    # longer than a lone daemon's would.
    lines.append(f"  garbage collections in this process meanwhile: {pauses.summary()}")
    lines.append(
        f"  load average (1 min) {load[0]:.2f} before, {load[1]:.2f} after; {os.cpu_count()} CPUs"
    )
    return "\n".join(lines)


async def test_gross_limit_alarm_latency(tmp_path: Path, mosquitto: MosquittoBroker) -> None:
    settings, sim_settings = bench_settings(tmp_path, mosquitto.port)
    public_key, _ = keygen(settings.signing.key_file)
    clock = make_clock(settings.clock.speed)
    lab = Lab.from_scenario(load_shipped_scenario("normal-day"))
    daemon = Daemon(settings, clock)
    async with Simulation(sim_settings, lab, clock):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            load_before = os.getloadavg()[0]
            with gc_pauses() as pauses:
                samples = await measure(daemon, mosquitto)
            load = (load_before, os.getloadavg()[0])
        finally:
            daemon.stop("benchmark over")
            await asyncio.wait_for(task, 10)

    verified = verify_journal(settings.journal.path, public_key)
    assert verified.ok, verified.format()
    with JournalReader(settings.journal.path) as reader:
        raised = [
            r
            for r in reader.stream_records("alarms")
            if r.kind == "alarm_raised" and r.fields["alarm"] == ALARM
        ]
    assert len(raised) == WARM_UP + SAMPLES
    print(report(samples, pauses, load))


async def measure(daemon: Daemon, broker: MosquittoBroker) -> list[Sample]:
    """Raise and clear ``band:F1`` WARM_UP + SAMPLES times; the samples after the warm-up."""
    pipeline, publisher, mqtt = daemon.pipeline, daemon.publisher, daemon.settings.mqtt
    assert pipeline is not None
    assert publisher is not None
    assert mqtt is not None
    prefix = mqtt.prefix
    topics = Topics(f"{prefix}/alarms/notifications", f"{prefix}/alarms/state/{ALARM}")
    arrivals: asyncio.Queue[Arrival] = asyncio.Queue()
    samples: list[Sample] = []

    def back_to_normal() -> bool:
        return not pipeline.desk.is_active(ALARM)

    async with (
        aiomqtt.Client(broker.host, broker.port, identifier="bench-phone") as phone,
        aiomqtt.Client(broker.host, broker.port, identifier="bench-fridge-1") as sensor,
    ):
        await phone.subscribe([(topics.notifications, 1), (topics.state, 1)])
        listener = asyncio.create_task(listen(phone, arrivals), name="bench-listener")
        try:
            # The daemon subscribes a moment after it is ready: send until it hears.
            while pipeline.probes["F1-air"].last is None:
                await sensor.publish(F1_TOPIC, z2m_payload(BACK_C), qos=1)
                await asyncio.sleep(0.1)
            await until(lambda: publisher.connected, "the daemon's publisher")
            for n in range(WARM_UP + SAMPLES):
                sample = await one_alarm(sensor, arrivals, topics, HOT_C + n % 10 / 10)
                if n >= WARM_UP:
                    samples.append(sample)
                await sensor.publish(F1_TOPIC, z2m_payload(BACK_C + n % 5 / 10), qos=1)
                await until(back_to_normal, "the return to normal")
                await asyncio.sleep(random.uniform(*PAUSE_S))
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
    return samples


async def one_alarm(
    sensor: aiomqtt.Client, arrivals: asyncio.Queue[Arrival], topics: Topics, celsius: float
) -> Sample:
    """Publish one reading past the gross limit and time the two alarm messages it causes."""
    sent_wall_ns, sent = time.time_ns(), time.perf_counter()
    await sensor.publish(F1_TOPIC, z2m_payload(celsius), qos=1)
    # The retained state goes out with the transition, the notification just after it.
    changed = await next_on(arrivals, topics.state)
    while changed.body["state"] != "active_unacknowledged":  # the last return to normal
        changed = await next_on(arrivals, topics.state)
    note = await next_on(arrivals, topics.notifications)
    assert note.body["reason"] == "raised", note.body
    assert changed.body["state"] == "active_unacknowledged", changed.body
    stamped_ns = note.body["ts"]
    assert isinstance(stamped_ns, int)
    return Sample(
        notification_ms=(note.at - sent) * 1000,
        state_ms=(changed.at - sent) * 1000,
        inbound_ms=(stamped_ns - sent_wall_ns) / 1e6,
        outbound_ms=(note.wall_ns - stamped_ns) / 1e6,
    )
