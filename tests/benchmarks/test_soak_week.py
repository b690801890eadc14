"""A simulated week of the daemon under scripted faults: the record holds, memory stays flat.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_soak_week.py -s`` (about 7 minutes;
needs root for the small tmpfs the journal sits on). The daemon runs as a process of its own
at 1500x from Monday 00:00 (Europe/Paris), against the simulator in this process (the
example lab over Modbus TCP and a real Mosquitto, ``scenarios/soak-week.toml``: defrosts,
a fridge door ajar and two power cuts), delivering to a real InfluxDB 1.6. Every probe is
read once a minute. The faults of the script (``Week.events``):

- Mosquitto stopped for 40 minutes, three times (the MQTT probes go stale, then recover);
- InfluxDB stopped for 4 hours (the outbox alarm, then the backlog delivered);
- the daemon killed with SIGKILL and started again at once;
- the journal's disk full for an hour (a ballast file on its tmpfs, taken just after the
  journal's write-ahead log was checkpointed and truncated: commits are paced in real time,
  so an hour at 1500x holds 1500 times fewer of them than at 1x, too few to outgrow the room
  the log already has: the disk would not be found full within the hour);
- the host's wall clock stepped back an hour, and forward again six hours later (the daemon
  runs on ``stepped_daemon``'s clock: the daemon itself has no way to step its clock).

At the end: the journal verifies (both clock steps on record), InfluxDB holds each stream's
rows exactly once, every alarm the script calls for is raised in its window and no other
alarm is. The alarms, the daemon's CPU time and its RSS (``VmRSS``, sampled every simulated
hour) are printed; the RSS is for the reader to judge, not asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.loading import validate_mapping
from monitor.clock import NS_PER_S, ScaledClock, datetime_to_ns, ns_to_datetime
from monitor.journal import keygen
from simulator.lab import Lab
from simulator.scenario import load_scenario
from simulator.session import Simulation
from tests.benchmarks.soak_record import Found, cpu_s, influx_counts, vm_rss_kb
from tests.fixtures.influxdb import InfluxServer
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.monitor.journal.small_disk import SmallDisk, small_disk
from tests.monitor.service import kill_runs as runs
from tests.monitor.service.daemon_process import Daemons
from tests.monitor.service.lab_settings import lab_settings_mapping
from tests.monitor.service.stepped_daemon import SteppedDaemons

pytestmark = pytest.mark.benchmark

SCENARIO = Path(__file__).parents[1] / "monitor" / "service" / "scenarios" / "soak-week.toml"
SPEED = 1500.0
ZONE = ZoneInfo("Europe/Paris")
ORIGIN_NS = datetime_to_ns(datetime(2026, 1, 12, 0, 0, tzinfo=ZONE))
H = 3600.0
END_H = 168.0
SAMPLE_PERIOD_S = 60.0
# 20 minutes of silence make a probe stale: 0.8 s of real time, more than a loaded machine
# stalls, less than half a broker outage of the script.
STALE_PERIODS = 20
BROKER_DOWN_H = (6.0, 66.0, 130.0)
BROKER_OUTAGE_H = 40 / 60
INFLUX_DOWN_H, INFLUX_UP_H = 40.0, 44.0
KILL_H = 58.0
DISK_FULL_H, DISK_FREE_H = 86.0, 87.0
STEPS = ((110 * H, -H), (116 * H, H))  # back an hour on Friday 14:00, forward at 20:00
DISK_MB = 128
# At this speed the daemon's 2 s clock-step threshold is 1.3 ms of real time: a process
# preempted between its two clock reads records a step of a few seconds, and its reverse.
JITTER_S = 60.0
MQTT_PROBES = ("F1-air", "F2-air", "Z1-air")
# Every alarm the script raises: the windows (hours of the wall clock the daemon stamps with,
# which agrees with the timeline outside 110-116 h) in which each of its raises must fall.
EXPECTED: dict[str, list[tuple[float, float]]] = {
    "band:F1": [(34.0, 35.0)],  # the door ajar from Tuesday 10:00 (scenario)
    "band:Z1": [(81.0, 82.0)],  # the freezer's power cut from Thursday 09:00
    "band:F2": [(150.0, 151.5)],  # the fridge's power cut from Sunday 06:00
    **{f"stale:{p}": [(h, h + BROKER_OUTAGE_H + 0.2) for h in BROKER_DOWN_H] for p in MQTT_PROBES},
    "outbox:influxdb": [(INFLUX_DOWN_H, INFLUX_UP_H + 0.5)],
    "unclean_restart:device": [(KILL_H, KILL_H + 0.5)],
    "journal:disk": [(DISK_FULL_H, DISK_FREE_H)],
    # Nobody signs the daily sheets: each closed day alarms at 10:00 the next day (RULES C10).
    **{
        f"sheet:{e}:2026-01-{12 + d}": [(24.0 * d + 34.0, 24.0 * d + 35.0)]
        for e in ("F1", "F2", "Z1")
        for d in range(6)
    },
}
# Filling the disk takes a moment: a room check during it may rightly warn, once.
MAY_RAISE = {"journal:space": (DISK_FULL_H, DISK_FREE_H + 0.2)}


def settings_of(folder: Path, disk: Path, broker: int, influx: InfluxServer, db: str) -> Daemons:
    folder.mkdir(parents=True)
    data = lab_settings_mapping(
        folder,
        broker,
        web={"host": "127.0.0.1", "port": free_port()},
        # The 7-day warning of a lab at 1x is 7 days / SPEED of real time at SPEED.
        journal={"path": str(disk / "journal.sqlite"), "commit_interval_s": 0.2,
                 "warn_days_left": 7.0 / SPEED},
        influxdb={"enabled": True, "url": influx.url, "database": db, "flush_interval_s": 0.2,
                  "timeout_s": 2.0, "backlog_alarm_age_s": 2 * H,
                  "backoff": {"initial_s": 0.05, "max_s": 0.5}},
    )  # fmt: skip
    for probe in data["probes"]:
        probe["sample_period_s"] = SAMPLE_PERIOD_S
        probe["stale_after_periods"] = STALE_PERIODS
    config = folder / "settings.json"
    config.write_text(json.dumps(data, default=str))
    settings = validate_mapping(json.loads(config.read_text()), str(config))
    return SteppedDaemons(config, settings, ScaledClock(SPEED, ORIGIN_NS), folder, steps=STEPS)


class Week:
    """The script's actions on the running lab; RSS samples as (hour, pid, kB), CPU seconds
    of each daemon process (read hourly, before the kill and before the stop)."""

    def __init__(
        self, daemons: Daemons, broker: MosquittoBroker, influx: InfluxServer, disk: SmallDisk
    ) -> None:
        self.daemons, self.broker, self.influx, self.disk = daemons, broker, influx, disk
        self.process = daemons.start()
        self.rss: list[tuple[float, int, int]] = []
        self.cpu: dict[int, float] = {}
        self.ran_s = 0.0
        self.log: list[tuple[float, str]] = []

    def events(self) -> list[tuple[float, str, Callable[[], object]]]:
        script: list[tuple[float, str, Callable[[], object]]] = []
        for h in BROKER_DOWN_H:
            script.append((h, "Mosquitto stopped", self.broker.stop))
            script.append((h + BROKER_OUTAGE_H, "Mosquitto started", self.broker.start))
        script += [
            (INFLUX_DOWN_H, "InfluxDB stopped", self.influx.stop),
            (INFLUX_UP_H, "InfluxDB started", self.influx.start),
            (DISK_FULL_H, "journal disk full", self.fill_disk),
            (DISK_FREE_H, "journal disk freed", self.disk.free),
        ]
        script += [(float(h), "", self.sample) for h in range(1, int(END_H) + 1)]
        return sorted((e for e in script if e[0] <= END_H), key=lambda e: e[0])

    def sample(self) -> None:
        pid = self.process.pid
        self.rss.append((self.clock_h(), pid, vm_rss_kb(pid)))
        self.cpu[pid] = cpu_s(pid)

    def fill_disk(self) -> None:
        """The log into the file and truncated (retried while a reader of the daemon holds an
        older snapshot), then the ballast: the next commit needs room the disk has not."""
        path = self.daemons.settings.journal.path
        with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
            for _ in range(50):
                if db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
                    break
                time.sleep(0.01)
            else:
                raise AssertionError("the journal's log could not be truncated")
        self.disk.fill()

    def clock_h(self) -> float:
        return self.daemons.clock.monotonic() / H

    async def run(self) -> None:
        await runs.serving(self.daemons, self.process, 30)
        killed = False
        for at_h, what, action in self.events():
            if not killed and at_h >= KILL_H:
                await runs.until_sim(self.daemons.clock, KILL_H * H)
                self.cpu[self.process.pid] = cpu_s(self.process.pid)
                await runs.kill(self.process)
                self.process = await runs.restart(self.daemons)
                self.log.append((KILL_H, "daemon killed (SIGKILL) and started again"))
                killed = True
            await runs.until_sim(self.daemons.clock, at_h * H)
            if self.process.poll() is not None:
                raise AssertionError(f"the daemon exited\n{self.daemons.log_tail()}")
            await asyncio.to_thread(action)  # blocking starts and fills: the lab runs on
            if what:
                self.log.append((at_h, what))
        await runs.until_sim(self.daemons.clock, END_H * H)
        self.cpu[self.process.pid] = cpu_s(self.process.pid)
        await runs.stop(self.daemons, self.process)


async def test_a_week_of_faults(
    tmp_path: Path, mosquitto: MosquittoBroker, restartable_influxdb: InfluxServer
) -> None:
    influx = restartable_influxdb
    database = influx.create_database()
    started = time.monotonic()
    with small_disk(tmp_path / "disk", DISK_MB) as disk:
        daemons = settings_of(tmp_path / "unit", disk.root, mosquitto.port, influx, database)
        public_key, _ = keygen(daemons.settings.signing.key_file)
        lab = Lab.from_scenario(load_scenario(SCENARIO))
        try:
            async with Simulation(daemons.settings, lab, daemons.clock, step_s=2.0) as sim:
                week = Week(daemons, mosquitto, influx, disk)
                await week.run()
                assert sim.failed() is None
        finally:
            daemons.stop_all()
        week.ran_s = time.monotonic() - started
        found = await asyncio.to_thread(Found.read, daemons.settings.journal.path, public_key)
    stored, distinct = influx_counts(influx, database)
    print_figures(week, found, time.monotonic() - started - week.ran_s)
    assert found.report.ok, found.report.format()
    # The script's steps, each as the daemon measured it between two ticks (within the
    # watch's 2 s); shorter ones are the jitter ``print_figures`` lists, not the script's.
    steps = [r.fields["step_s"] for r in found.device if r.kind == "clock_step"]
    scripted = [s for s in steps if isinstance(s, float) and abs(s) >= JITTER_S]
    assert scripted == pytest.approx([by for at, by in STEPS if at < END_H * H], abs=2.0), steps
    assert stored == found.per_stream, sorted(set(stored.items()) ^ set(found.per_stream.items()))
    assert distinct == found.per_stream
    check_alarms(found.raised())


def hours(ts: int) -> float:
    return (ts - ORIGIN_NS) / NS_PER_S / H


def check_alarms(raised: list[tuple[str, int]]) -> None:
    """Each expected raise in its window, once; no other raise."""
    counts = Counter(key for key, _ in raised)
    expected = {key: len(windows) for key, windows in EXPECTED.items()}
    optional = {k: n for k, n in counts.items() if k in MAY_RAISE}
    assert {k: n for k, n in counts.items() if k not in MAY_RAISE} == expected, counts
    assert all(n == 1 for n in optional.values()), optional
    for key, ts in raised:
        windows = [MAY_RAISE[key]] if key in MAY_RAISE else EXPECTED[key]
        assert any(a <= hours(ts) <= b for a, b in windows), (key, hours(ts), windows)


def print_figures(week: Week, found: Found, checked_s: float) -> None:
    def local(ts: int) -> str:
        return ns_to_datetime(ts).astimezone(ZONE).strftime("%a %H:%M")

    rows = sum(found.per_stream.values())
    readings = sum(n for s, n in found.per_stream.items() if s.startswith("enclosure:"))
    print(f"\nsoak week at {SPEED:g}x: {week.ran_s:.0f} s real for {END_H:g} simulated hours, "
          f"checks {checked_s:.0f} s; {os.cpu_count()} CPUs")  # fmt: skip
    print(f"  journal: {rows} rows in {len(found.per_stream)} streams ({readings} in the "
          f"enclosures' day streams), {found.size_mb:.1f} MB; verification "
          f"{'OK' if found.report.ok else 'FAILED'}, warnings "
          f"{dict(Counter(str(f.kind) for f in found.report.warnings))}")  # fmt: skip
    for at_h, what in week.log:
        print(f"  script {at_h:6.2f} h: {what}")
    jitter = 0
    for r in found.device:
        if r.kind == "clock_step" and abs(float(str(r.fields["step_s"]))) < JITTER_S:
            jitter += 1
        elif r.kind == "clock_step":
            print(f"  journal {local(r.ts)}: clock_step, {r.fields['reason']}")
    print(f"  clock_step records of less than {JITTER_S:g} s (scheduling jitter): {jitter}")
    print("  alarms (raised, cleared; final state):")
    by_key: dict[str, list[str]] = {}
    for r in found.alarms:
        if r.kind.startswith("alarm_") and r.fields["action"] in ("raised", "cleared"):
            by_key.setdefault(str(r.fields["alarm"]), []).append(
                f"{r.fields['action']} {local(r.ts)}"
            )
    for key, marks in sorted(by_key.items()):
        print(f"    {key:24} {', '.join(marks)}; {found.final[key][0]}")
    cpu = sum(week.cpu.values())
    print(f"  daemon CPU {cpu:.0f} s in {len(week.cpu)} processes, "
          f"{cpu / week.ran_s * 100:.1f} % of one core")  # fmt: skip
    rss = [kb / 1024 for _, _, kb in week.rss]
    print(f"  daemon RSS over {len(rss)} hourly samples: min {min(rss):.1f} MB, "
          f"max {max(rss):.1f} MB")  # fmt: skip
    for pid in dict.fromkeys(pid for _, pid, _ in week.rss):
        days: dict[int, list[float]] = {}
        for h, p, kb in week.rss:
            if p == pid:
                days.setdefault(int(h // 24), []).append(kb / 1024)
        per_day = ", ".join(f"d{d} {min(v):.1f}-{max(v):.1f}" for d, v in days.items())
        print(f"    process {pid}, MB by day: {per_day}")
