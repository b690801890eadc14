"""The daemon behind a real Mosquitto: no probe called stale, the lag shown, nothing lost unsaid.

Twenty Zigbee2MQTT sensors (``tests.fixtures.mqtt_flood``) publish 1,000 messages a second
for 3 s, each every 20 ms, its stale limit 60 ms. Half a second in, the pipeline is made
slow (5 ms a reading, as a stalled disk or a busier machine would make it): the daemon falls
seconds behind, the backlog waits in the broker, and when the sensors stop it catches up.

With the broker's queue sized as README.md says, no stale alarm may be raised for a sensor
that was still sending; the lag must show in the status and raise the overload alarm, which
returns to normal once the daemon has caught up; every message sent must be journaled, none
shed. With Mosquitto's default queue (1,000 messages) the broker drops part of the backlog:
the daemon must say so on record.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config import Settings
from monitor.clock import SystemClock
from monitor.journal import JournalReader, keygen
from monitor.reading import Reading
from monitor.service.daemon import Daemon
from monitor.service.evaluators import Routed
from monitor.service.overload import OVERLOAD_KEY
from monitor.service.status import input_json
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.sensor_fleet import fleet_settings
from tests.monitor.service.stale_counts import false_stale

ROOT = Path(__file__).parents[3]
SENSORS, RATE, SECONDS = 20, 1000.0, 3.0
SLOW_S = 0.005


def settings(folder: Path, port: int) -> Settings:
    return fleet_settings(
        folder, port, SENSORS, "load/z2m/{}", SENSORS / RATE,
        overload={"lag_alarm_s": 1.0, "lag_clear_s": 0.5},
    )  # fmt: skip


async def until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def slowed(feed: Callable[..., list[Routed]]) -> Callable[..., list[Routed]]:
    def slow_feed(reading: Reading, heard_until: int | None = None) -> list[Routed]:
        time.sleep(SLOW_S)  # the loop blocked, as by a slow commit: nothing else runs
        return feed(reading, heard_until)

    return slow_feed


@dataclass
class Behind:
    """What a run of the daemon behind its broker left."""

    journal: Path
    started_ns: int
    sent: int
    lags: list[float]
    status: dict[str, Any]


@pytest.fixture
def sized_broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    lines = ["max_queued_messages 100000", "max_queued_bytes 0"]
    broker = MosquittoBroker(tmp_path / "mosquitto-sized", extra_lines=lines)
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


async def test_a_daemon_behind_its_broker_calls_no_sensor_stale_and_says_it_is_behind(
    tmp_path: Path, sized_broker: MosquittoBroker
) -> None:
    run = await behind(tmp_path, sized_broker, until_every_reading=True)
    assert max(run.lags) > 1.0, run.lags
    assert run.status["shed"] == 0
    assert run.status["links"]["mqtt"]["lost_markers"] == 0
    assert false_stale(run.journal, run.started_ns) == 0
    with JournalReader(run.journal) as reader:
        kinds = [r.kind for r in reader.stream_records("device")]
        alarms = overload_alarms(reader)
        readings = readings_of(reader)
    assert readings == run.sent
    assert "broker_dropped" not in kinds
    assert kinds.count("input_behind") == kinds.count("input_caught_up") == 1
    assert alarms == [("alarm_raised", OVERLOAD_KEY), ("alarm_cleared", OVERLOAD_KEY)]


async def test_what_a_broker_with_its_default_queue_drops_is_on_record(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    run = await behind(tmp_path, mosquitto, until_every_reading=False)
    assert run.status["links"]["mqtt"]["lost_markers"] > 0
    with JournalReader(run.journal) as reader:
        dropped = reader.records_of_kind("broker_dropped", "device")
        alarms = overload_alarms(reader)
        readings = readings_of(reader)
    assert readings < run.sent
    assert dropped
    assert (
        sum(int(r.fields["markers"]) for r in dropped)
        == run.status["links"]["mqtt"]["lost_markers"]
    )
    assert ("alarm_raised", OVERLOAD_KEY) in alarms


def overload_alarms(reader: JournalReader) -> list[tuple[str, str]]:
    return [
        (r.kind, str(r.fields["alarm"]))
        for r in reader.stream_records("alarms")
        if r.kind in ("alarm_raised", "alarm_cleared") and r.fields.get("alarm") == OVERLOAD_KEY
    ]


def readings_of(reader: JournalReader) -> int:
    return sum(
        1
        for name in reader.stream_names()
        if name.startswith("enclosure:")
        for r in reader.stream_records(name)
        if r.kind == "reading"
    )


async def behind(folder: Path, mosquitto: MosquittoBroker, *, until_every_reading: bool) -> Behind:
    """The sensors' flood, the pipeline slowed half a second in; until the daemon has caught
    up (every reading journaled, or nothing more for a second), then stopped."""
    s = settings(folder, mosquitto.port)
    keygen(s.signing.key_file)
    daemon = Daemon(s, SystemClock())
    task = asyncio.create_task(daemon.run(), name="daemon")
    lags: list[float] = []
    try:
        await asyncio.wait_for(daemon.ready.wait(), 20)
        pipeline = daemon.pipeline
        assert pipeline is not None
        await until(lambda: pipeline.input.links["mqtt"].working, 10, "the first lag marker")
        started_ns = time.time_ns()
        flood = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.fixtures.mqtt_flood", mosquitto.host,
            str(mosquitto.port), str(SENSORS), repr(RATE), repr(SECONDS), "--topic",
            "load/z2m/{}", cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        await asyncio.sleep(0.5)
        pipeline.machines.feed = slowed(pipeline.machines.feed)  # type: ignore[method-assign]
        while flood.returncode is None:
            lags.append(input_json(pipeline, time.time_ns())["lag_s"])
            await asyncio.sleep(0.1)
        assert flood.stdout is not None
        sent = json.loads(await flood.stdout.read())["sent"]
        assert sent == int(RATE * SECONDS)
        if until_every_reading:
            await until(lambda: pipeline.readings_seen >= sent, 60, "every message journaled")
        else:
            await quiet(lambda: pipeline.readings_seen, 60)
        await until(lambda: not pipeline.desk.is_active(OVERLOAD_KEY), 10, "the catch-up")
        status = input_json(pipeline, time.time_ns())
    finally:
        daemon.stop("test over")
        await asyncio.wait_for(task, 30)
    return Behind(s.journal.path, started_ns, sent, lags, status)


async def quiet(count: Callable[[], int], timeout_s: float) -> None:
    """Until ``count`` has not changed for a second."""
    deadline = time.monotonic() + timeout_s
    last = -1
    while count() != last:
        if time.monotonic() > deadline:
            raise AssertionError("the daemon kept reading")
        last = count()
        await asyncio.sleep(1.0)
