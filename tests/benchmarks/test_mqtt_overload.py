"""MQTT readings journaled per second, and what an overload does: 1x, 2x and 3x the clean rate.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_mqtt_overload.py -s`` (about 6 min).
A real Mosquitto on loopback, its queue for the daemon sized for the whole backlog of a 3x
run (README.md, "Lag and overload"); the daemon runs in this process at 1x with the journal
as in production; ``tests.fixtures.mqtt_flood`` plays a fleet of 1,000 Zigbee2MQTT sensors
in a process of its own, each in its own fridge, publishing QoS 1 round robin so that each
sends once every ``1000 / rate`` seconds.

First the clean throughput: the fleet offers far more than the daemon can take, with stale
limits too long to matter, and the rate at which readings are journaled while the broker
holds a backlog is the daemon's capacity. Then three runs at 1x, 2x and 3x that rate for
``LOAD_S`` seconds, with the default stale limit (3 sample periods). Every sensor publishes
on time all along, so every stale alarm is false. Each run prints the readings journaled per
second during the load, the false stale alarms, the largest lag ``lactamon status`` showed,
whether the ``overload`` alarm was raised and cleared, the readings missing 30 s after the
load stopped and once the daemon caught up (or gave up waiting), the readings the daemon
recorded as shed, and whether the broker dropped messages (its log, and the daemon's lag
markers that never came back). Figures are printed; what is asserted is only that each run
was measured (the publisher sent what it was asked to).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from config import Settings
from monitor.clock import make_clock
from monitor.journal import keygen
from monitor.service.daemon import Daemon
from monitor.service.status import status_json
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.sensor_fleet import fleet_settings
from tests.monitor.service.stale_counts import false_stale

pytestmark = pytest.mark.benchmark

ROOT = Path(__file__).parents[2]
PROBES = 1000
CAPACITY_OFFER = 20_000.0  # messages/s offered to find the capacity: far above it
CAPACITY_S = 20.0
LOAD_S = 30.0
AFTER_S = 30.0  # the measure: what is missing this long after the load stopped
CATCH_UP_S = 150.0  # the longest wait for the daemon to catch up after a run
GOAL_PER_S = 5_000
# The broker's queue for the daemon, as README.md sizes it for this benchmark: room for the
# whole backlog of a 3x run, so that nothing the fleet sent is dropped by the broker.
BROKER_LINES = [
    "max_inflight_messages 20",
    "max_queued_messages 1000000",
    "max_queued_bytes 0",
    "sys_interval 1",
]


class LabBroker(MosquittoBroker):
    """The test broker with the queue sizing of README.md, and its memory."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, extra_lines=BROKER_LINES)

    def rss_mb(self) -> float:
        process = self._process
        if process is None:
            return 0.0
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


@dataclass
class Run:
    """What one run measured."""

    label: str
    offered_per_s: float
    sent: int = 0
    load_start_ns: int = 0
    load_s: float = 0.0
    journaled_during: int = 0
    journaled_after: int = 0
    journaled_end: int = 0
    caught_up_s: float | None = None
    false_stale: int = 0
    shed: int = 0
    broker_dropped: int = 0  # the broker's notices that it drops messages for a client
    lost_markers: int = 0
    max_lag_s: float | None = None
    overload_raised: bool = False
    overload_cleared: bool = False
    broker_rss_mb: float = 0.0
    lags: list[float] = field(default_factory=list)

    @property
    def journaled_per_s(self) -> float:
        return self.journaled_during / self.load_s if self.load_s else 0.0

    def line(self) -> str:
        missing_after = 100 * (1 - self.journaled_after / self.sent) if self.sent else 0
        missing_end = self.sent - self.journaled_end - self.shed
        caught = f"caught up {self.caught_up_s:.0f} s after" if self.caught_up_s is not None else (
            f"NOT caught up {CATCH_UP_S:.0f} s after")  # fmt: skip
        lag = "n/a" if self.max_lag_s is None else f"{self.max_lag_s:.1f} s"
        overload = "raised" if self.overload_raised else "not raised"
        if self.overload_raised:
            overload += ", cleared" if self.overload_cleared else ", NOT cleared"
        dropped = "dropped nothing" if not self.broker_dropped else "DROPPED messages"
        return (
            f"  {self.label}: offered {self.offered_per_s:,.0f}/s for {self.load_s:.0f} s "
            f"({self.sent:,} readings); journaled {self.journaled_per_s:,.0f}/s during the "
            f"load; false stale alarms {self.false_stale:,}; largest lag in status {lag}; "
            f"overload alarm {overload}; missing {AFTER_S:.0f} s after the load "
            f"{missing_after:.0f} %; {caught}: missing {missing_end:,}, recorded as shed "
            f"{self.shed:,}; the broker {dropped} (lag markers lost {self.lost_markers}); broker "
            f"RSS {self.broker_rss_mb:.0f} MB"
        )


def settings(folder: Path, port: int, period_s: float, stale_periods: int) -> Settings:
    # Every false stale alarm is counted one by one, not grouped into a flood message.
    return fleet_settings(
        folder, port, PROBES, "bench/z2m/{}", period_s, stale_periods=stale_periods,
        alarms={"flood_count": 1_000_000},
    )  # fmt: skip


def shed_total(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT extra FROM records JOIN symbols ON records.kind = symbols.id "
            "WHERE symbols.text = 'readings_shed'"
        ).fetchall()
    return sum(int(json.loads(extra).get("count", 0)) for (extra,) in rows)


def alarm_kinds(path: Path, key: str) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT symbols.text, extra FROM records JOIN symbols ON records.kind = symbols.id "
            "WHERE symbols.text IN ('alarm_raised', 'alarm_cleared')"
        ).fetchall()
    return {kind for kind, extra in rows if json.loads(extra or "{}").get("alarm") == key}


def lag_of(daemon: Daemon) -> float | None:
    pipeline = daemon.pipeline
    assert pipeline is not None
    status = status_json(pipeline, daemon.clock.now_ns(), daemon.sync, daemon.outbox)
    lag = status.get("input", {}).get("lag_s")
    return None if lag is None else float(lag)


async def one_run(
    folder: Path, label: str, rate: float, seconds: float, stale_periods: int, catch_up: bool
) -> Run:
    folder.mkdir()  # noqa: ASYNC240 (before anything runs)
    broker = LabBroker(folder / "mosquitto")
    broker.start()
    run = Run(label, rate)
    try:
        s = settings(folder, broker.port, PROBES / rate, stale_periods)
        keygen(s.signing.key_file)
        daemon = Daemon(s, make_clock(1.0))
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 60)
            await asyncio.sleep(3)  # subscribed, and past the start-up grace
            await measure(daemon, broker, run, seconds, catch_up)
        finally:
            daemon.stop("benchmark run over")
            await asyncio.wait_for(task, 120)
        run.broker_dropped = broker.log_text().count("Outgoing messages are being dropped")
    finally:
        broker.stop()
    path = s.journal.path
    run.false_stale = false_stale(path, run.load_start_ns)
    run.shed = shed_total(path)
    kinds = alarm_kinds(path, "overload:device")
    run.overload_raised = "alarm_raised" in kinds
    run.overload_cleared = "alarm_cleared" in kinds
    return run


async def measure(
    daemon: Daemon, broker: LabBroker, run: Run, seconds: float, catch_up: bool
) -> None:
    pipeline = daemon.pipeline
    assert pipeline is not None
    base = pipeline.readings_seen
    run.load_start_ns = time.time_ns()
    flood = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fixtures.mqtt_flood", broker.host, str(broker.port),
        str(PROBES), repr(run.offered_per_s), repr(seconds),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip

    def sample() -> None:
        lag = lag_of(daemon)
        if lag is not None:
            run.lags.append(lag)
        run.broker_rss_mb = max(run.broker_rss_mb, broker.rss_mb())

    while flood.returncode is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(flood.wait(), 1.0)
        sample()
    assert flood.stdout is not None
    sent = json.loads(await flood.stdout.read())
    run.sent, run.load_s = int(sent["sent"]), float(sent["seconds"])
    run.journaled_during = pipeline.readings_seen - base
    stopped = time.monotonic()
    while catch_up and time.monotonic() - stopped < CATCH_UP_S:
        await asyncio.sleep(1.0)
        sample()
        done = pipeline.readings_seen - base
        if time.monotonic() - stopped <= AFTER_S:
            run.journaled_after = done
        taken = done + pipeline.shed_total
        if taken >= run.sent and time.monotonic() - stopped > AFTER_S and not overloaded(daemon):
            run.caught_up_s = time.monotonic() - stopped
            break
    run.journaled_end = pipeline.readings_seen - base
    links = status_json(pipeline, daemon.clock.now_ns(), daemon.sync, None)["input"]["links"]
    run.lost_markers = int(links["mqtt"]["lost_markers"])
    run.max_lag_s = max(run.lags) if run.lags else None


def overloaded(daemon: Daemon) -> bool:
    assert daemon.pipeline is not None
    return daemon.pipeline.desk.is_active("overload:device")


async def test_mqtt_throughput_and_overload(tmp_path: Path) -> None:
    load_before = os.getloadavg()[0]
    capacity = await one_run(
        tmp_path / "capacity", "capacity", CAPACITY_OFFER, CAPACITY_S, 1000, catch_up=False
    )
    assert capacity.sent == int(CAPACITY_OFFER * CAPACITY_S)
    clean = capacity.journaled_per_s
    runs = []
    for k in (1, 2, 3):
        run = await one_run(tmp_path / f"load-{k}x", f"{k}x", k * clean, LOAD_S, 3, catch_up=True)
        assert run.sent == int(k * clean * LOAD_S)
        runs.append(run)
    verdict = "met" if clean >= GOAL_PER_S else "MISSED"
    lines = [
        f"\nMQTT readings journaled, {PROBES} Zigbee2MQTT sensors over a real Mosquitto on "
        f"loopback, the daemon at 1x in this process, {os.cpu_count()} CPUs:",
        f"  clean throughput: {clean:,.0f} readings/s (offered {CAPACITY_OFFER:,.0f}/s for "
        f"{CAPACITY_S:.0f} s; goal >= {GOAL_PER_S:,}/s: {verdict})",
        *(run.line() for run in runs),
        f"  load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
    ]
    print("\n".join(lines))
