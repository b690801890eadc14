"""The journal's disk full under the running daemon: monitoring goes on, the record catches up.

The journal sits on a small tmpfs (``small_disk``); the simulator serves the demo day over
Modbus TCP and a real Mosquitto at 300x. Once the daemon has recorded a while, a ballast file
takes every free byte. The daemon goes on: a HIGH ``journal:disk`` alarm is raised, the
quarantine fridge's door left ajar still raises ``band:F1`` and it is notified on MQTT while
the disk is full, and records wait in a 1 MiB buffer until it overflows. Then the ballast is
deleted: at the next retry the buffer is written, a ``records_lost`` event says what did not
fit, the alarm clears, and the journal verifies with every alarm of the full period in it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiomqtt

from config import Settings
from monitor.alarms import Priority
from monitor.clock import ScaledClock
from monitor.journal import JournalReader, keygen, verify_journal
from monitor.notify.mqtt import NOTIFICATIONS_TOPIC
from monitor.service.daemon import Daemon
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.journal.small_disk import small_disk
from tests.monitor.service.lab_settings import lab_settings
from tests.monitor.service.test_daemon_e2e import until

SPEED = 300.0
DISK = "journal:disk"
FRIDGE = "band:F1"
BUFFER_BYTES = 1 << 20
# Far more readings than the buffer holds (about 380 bytes each in memory).
READINGS_BEYOND_THE_BUFFER = 2 * BUFFER_BYTES // 380


@asynccontextmanager
async def notifications(settings: Settings, into: list[dict[str, Any]]) -> AsyncIterator[None]:
    """Every notification the daemon sends on MQTT while the block runs, in ``into``."""
    assert settings.mqtt is not None
    topic = f"{settings.mqtt.prefix}/{NOTIFICATIONS_TOPIC}"
    async with aiomqtt.Client("127.0.0.1", settings.mqtt.port) as client:
        await client.subscribe(topic, qos=1)

        async def collect() -> None:
            async for message in client.messages:
                into.append(json.loads(bytes(message.payload)))

        task = asyncio.create_task(collect(), name="notifications")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_a_full_disk_stops_nothing_and_the_record_catches_up(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    with small_disk(tmp_path / "disk", 16) as disk:
        journal = {"path": str(disk.root / "journal.sqlite"), "commit_interval_s": 0.2,
                   "buffer_bytes": BUFFER_BYTES}  # fmt: skip
        settings = lab_settings(tmp_path, mosquitto.port, journal=journal)
        public_key, _ = keygen(settings.signing.key_file)
        clock = ScaledClock(SPEED)
        lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
        daemon = Daemon(settings, clock)
        notes: list[dict[str, Any]] = []
        async with Simulation(settings, lab, clock), notifications(settings, notes):
            task = asyncio.create_task(daemon.run(), name="daemon")
            try:
                await asyncio.wait_for(daemon.ready.wait(), 10)
                pipeline = daemon.pipeline
                assert pipeline is not None
                desk, alarms = pipeline.desk, pipeline.desk.manager.alarms
                await until(lambda: pipeline.readings_seen > 20, 20, "the first readings")
                disk.fill()
                full_from = clock.now_ns()
                seen = pipeline.readings_seen
                await until(lambda: desk.is_active(DISK), 10, "the disk alarm")
                assert alarms[DISK].priority is Priority.HIGH
                await until(lambda: desk.is_active(FRIDGE), 60, "the fridge excursion alarm")
                await until(lambda: any(FRIDGE in n["alarms"] for n in notes), 10,
                            "the fridge alarm on MQTT")  # fmt: skip
                await until(lambda: pipeline.readings_seen > seen + READINGS_BEYOND_THE_BUFFER,
                            60, "the buffer to overflow")  # fmt: skip
                assert not task.done()
                assert desk.is_active(DISK)
                disk.free()
                full_to = clock.now_ns()
                await until(lambda: not desk.is_active(DISK), 30, "the disk alarm to clear")
                written_again = clock.now_ns()  # records are lost until the retry that works
                seen = pipeline.readings_seen
                await until(lambda: pipeline.readings_seen > seen + 50, 20, "readings after")
            finally:
                daemon.stop("test over")
                await asyncio.wait_for(task, 15)

        path = settings.journal.path
        report = verify_journal(path, public_key)
        assert report.ok, report.format()
        with JournalReader(path) as reader:
            alarm_records = reader.stream_records("alarms")
            lost = [r for r in reader.stream_records("device") if r.kind == "records_lost"]
            names = reader.stream_names()

    def transitions(key: str, kind: str) -> list[int]:
        return [r.ts for r in alarm_records if r.fields.get("alarm") == key and r.kind == kind]

    fridge_raised = transitions(FRIDGE, "alarm_raised")
    assert any(full_from <= ts <= full_to for ts in fridge_raised), fridge_raised
    assert transitions(DISK, "alarm_raised")
    assert transitions(DISK, "alarm_cleared")
    delivered = [r for r in alarm_records if r.kind == "notification_delivered"
                 and FRIDGE in str(r.fields.get("alarms", ""))]  # fmt: skip
    assert delivered, "the fridge alarm's notification is on record"
    assert len(lost) == 1, lost
    gap = lost[0].fields
    assert isinstance(gap["records"], int)
    assert gap["records"] > 0
    assert full_from <= int(gap["first_ts"]) <= int(gap["last_ts"]) <= written_again
    streams = str(gap["streams"]).split(",")
    assert streams
    assert set(streams) <= set(names), streams


async def test_a_daemon_started_on_a_full_disk_monitors_and_catches_up(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    with small_disk(tmp_path / "disk", 16) as disk:
        journal = {"path": str(disk.root / "journal.sqlite"), "commit_interval_s": 0.2,
                   "buffer_bytes": BUFFER_BYTES}  # fmt: skip
        settings = lab_settings(tmp_path, mosquitto.port, journal=journal)
        public_key, _ = keygen(settings.signing.key_file)
        clock = ScaledClock(SPEED)
        lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
        async with Simulation(settings, lab, clock):
            first = Daemon(settings, clock)
            task = asyncio.create_task(first.run(), name="first run")
            await asyncio.wait_for(first.ready.wait(), 10)
            first.stop("the Pi reboots")
            await asyncio.wait_for(task, 15)
            disk.fill()  # and comes back with its card full
            daemon = Daemon(settings, clock)
            task = asyncio.create_task(daemon.run(), name="daemon")
            try:
                await asyncio.wait_for(daemon.ready.wait(), 10)
                pipeline = daemon.pipeline
                assert pipeline is not None
                alarms = pipeline.desk.manager.alarms
                await until(lambda: DISK in alarms, 10, "the disk alarm")
                assert alarms[DISK].needs_ack
                assert alarms[DISK].priority is Priority.HIGH
                assert "reserve" in alarms[DISK].message
                seen = pipeline.readings_seen
                await until(lambda: pipeline.readings_seen > seen + 20, 20, "readings judged")
                assert not task.done()
                disk.free()
            finally:
                daemon.stop("test over")
                await asyncio.wait_for(task, 15)
        report = verify_journal(settings.journal.path, public_key)
        assert report.ok, report.format()
