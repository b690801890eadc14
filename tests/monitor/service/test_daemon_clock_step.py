"""A step of the wall clock under the running daemon: monitoring goes on.

The daemon runs at real speed on a clock whose wall time the test can step, as an operator
or NTP would, while its monotonic time runs on. Fridge F1's probe publishes over a real
Mosquitto. Stepped back an hour, a 12.5 °C reading still raises the gross alarm at once and
nothing is refused as out of order; stepped forward a day, no probe is called stale. Both
steps are ``clock_step`` records, and the journal verifies with the step explaining the
stamps that go back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import aiomqtt

from monitor.clock import NS_PER_S, SystemClock
from monitor.journal import JournalReader, keygen, verify_journal
from monitor.journal.verification import FindingKind
from monitor.service.daemon import Daemon
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.service.lab_settings import lab_settings
from tests.monitor.service.test_daemon_e2e import until

HOUR_NS = 3600 * NS_PER_S


async def seen(check: Callable[[], bool], within_s: float) -> bool:
    for _ in range(int(within_s / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


class SteppableClock(SystemClock):
    """Real time, with a wall clock the test can step."""

    def __init__(self) -> None:
        self.offset_ns = 0

    def now_ns(self) -> int:
        return super().now_ns() + self.offset_ns


async def test_a_wall_clock_stepped_either_way_never_blinds_the_daemon(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    settings = lab_settings(tmp_path, mosquitto.port)
    public_key, _ = keygen(settings.signing.key_file)
    clock = SteppableClock()
    daemon = Daemon(settings, clock)
    task = asyncio.create_task(daemon.run(), name="daemon")
    try:
        await asyncio.wait_for(daemon.ready.wait(), 10)
        pipeline = daemon.pipeline
        assert pipeline is not None
        async with aiomqtt.Client("127.0.0.1", mosquitto.port) as fridge:

            async def send(value: float) -> None:
                payload = json.dumps({"temperature": value, "battery": 90})
                await fridge.publish("zigbee2mqtt/fridge-1", payload, qos=1)

            # Until the daemon has subscribed, a message is the broker's to drop: say it again.
            for _ in range(20):
                await send(3.0)
                if await seen(lambda: pipeline.readings_seen >= 1, 0.5):
                    break
            await until(lambda: pipeline.readings_seen >= 1, 5, "a first reading")
            await asyncio.sleep(3.5)  # the ticker's start-up grace and first look at the clock
            clock.offset_ns -= HOUR_NS
            await until(lambda: _steps(settings.journal.path, daemon) >= 1, 5, "the step back")
            await send(12.5)
            await until(lambda: pipeline.desk.is_active("band:F1"), 5, "the gross alarm")
            clock.offset_ns += 24 * HOUR_NS
            await until(lambda: _steps(settings.journal.path, daemon) >= 2, 5, "the step on")
            await asyncio.sleep(2.5)  # ticks after the step: nobody silent for a day
            assert not pipeline.desk.is_active("stale:F1-air")
            rejected = [e for e in _kinds(settings.journal.path, daemon) if e == "reading_rejected"]
            assert rejected == []
    finally:
        daemon.stop("test over")
        await asyncio.wait_for(task, 15)
    report = verify_journal(settings.journal.path, public_key)
    assert report.ok, report.format()
    assert any(f.kind is FindingKind.CLOCK_STEP for f in report.findings)


def _kinds(path: Path, daemon: Daemon) -> list[str]:
    assert daemon.pipeline is not None
    daemon.pipeline.journal.flush()
    with JournalReader(path) as reader:
        return [r.kind for name in reader.stream_names() for r in reader.stream_records(name)]


def _steps(path: Path, daemon: Daemon) -> int:
    return _kinds(path, daemon).count("clock_step")
