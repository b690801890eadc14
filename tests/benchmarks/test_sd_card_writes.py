"""What ``lactamon run`` writes to its disk at the lab load: bytes per reading, syncs per second.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_sd_card_writes.py -s`` (about 6 min).
A Raspberry Pi's SD card wears with what is written to it, and wears faster with many small
synced writes. The lab is the one of ``test_demo_footprint``: 3 Modbus TCP probes at 1 Hz and
8 MQTT probes every 10 s, served by ``lactamon-sim`` at 1x through a real Mosquitto, the
daemon a process of its own delivering to a real InfluxDB 1.6 as in production. Two windows
of real time: no cycle running, then a holder63 cycle started through the API (the
pasteuriser's readings go to the cycle's stream). Each figure is divided by the readings
journaled in the window, counted from the journal by their stamps:

- ``write_bytes`` of ``/proc/<pid>/io``: what the daemon dirtied in the page cache. A kernel
  whose ext4 caches files in large folios (Linux 6.16 and later) counts a whole folio, up to
  1 MiB, for a byte rewritten in it, though the disk gets the 4 KiB block: there it
  overstates rewrites many times;
- the 4 KiB blocks written: from ``strace`` of the daemon's ``pwrite64`` calls, the distinct
  blocks of each file written between two syncs of that file, which is what ext4 sends to the
  card, and what ``write_bytes`` says on a kernel without large folios (the Pi's 6.12);
- syncs per second: the ``fsync`` and ``fdatasync`` calls in the summary table of the same
  ``strace -f -C -e trace=fsync,fdatasync,pwrite64 -p <pid>``, attached for the window and
  detached with SIGINT.

The daemon's log goes through a pipe, so the log file written here is not counted as the
daemon's. Goals (issue #15): no cycle <= 400 B per reading and <= 0.2 syncs/s; during a cycle
<= 1,500 B per reading and <= 1 sync/s.

Figures are printed; what is asserted is that both windows journaled the lab, the cycle's
stream took the pasteuriser's readings, InfluxDB got the records and the journal verifies.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from config import load_settings
from monitor.journal import JournalReader, keygen, verify_journal
from monitor.journal.streams import StreamKind, parse_stream
from monitor.users import Role, UserStore
from simulator.scenario import load_scenario
from tests.benchmarks.test_demo_footprint import toml_text, write_lab
from tests.fixtures.influxdb import InfluxServer

pytestmark = pytest.mark.benchmark

WARM_UP_S = 15.0
WINDOW_S = 150.0
CYCLE_WARM_UP_S = 10.0
# The simulated pasteuriser heats this long after the simulator starts: after the first
# window, so nothing heats unregistered in it, and after the cycle is started, as in a lab.
HEATING_AT_MIN = 3.0
GOALS = {False: (400.0, 0.2), True: (1500.0, 1.0)}  # (B per reading, syncs/s) by cycle running
BIN = Path(sys.executable).parent
PW = "correct horse battery"
BLOCK = 4096
_STRACE_ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)\s*$")
_PWRITE = re.compile(r"pwrite64\(\d+<(.+?)>, .*, (\d+), (\d+)\) = (\d+)$")
_SYNC = re.compile(r"f(?:data)?sync\(\d+<(.+?)>\) = 0$")


@dataclass(frozen=True)
class Window:
    """What the daemon did over one window of real time."""

    cycle: bool
    start_ns: int
    end_ns: int
    seconds: float
    write_bytes: int
    blocks_bytes: int
    syncs: dict[str, int]
    readings: int = 0

    @property
    def bytes_per_reading(self) -> float:
        return self.write_bytes / max(1, self.readings)

    @property
    def blocks_per_reading(self) -> float:
        return self.blocks_bytes / max(1, self.readings)

    @property
    def syncs_per_s(self) -> float:
        return sum(self.syncs.values()) / self.seconds


def write_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise LookupError(f"no write_bytes in /proc/{pid}/io")


def strace_counts(table: str) -> dict[str, int]:
    """The calls per syscall of ``strace -c``'s table (none when it saw none)."""
    counts = {"fsync": 0, "fdatasync": 0}
    for line in table.splitlines():
        match = _STRACE_ROW.match(line)
        if match is not None:
            counts[match.group(2)] = int(match.group(1))
    return counts


def blocks_written(trace: str) -> int:
    """The bytes of the distinct 4 KiB blocks each file got between two of its syncs (those
    still dirty at the end too: the kernel writes them back later)."""
    dirty: dict[str, set[int]] = {}
    total = 0
    for line in trace.splitlines():
        write = _PWRITE.search(line)
        if write is not None:
            path, offset, done = write.group(1), int(write.group(3)), int(write.group(4))
            if done:
                blocks = range(offset // BLOCK, (offset + done - 1) // BLOCK + 1)
                dirty.setdefault(path, set()).update(blocks)
            continue
        sync = _SYNC.search(line)
        if sync is not None:
            total += len(dirty.pop(sync.group(1), ())) * BLOCK
    return total + sum(len(blocks) for blocks in dirty.values()) * BLOCK


def measure(pid: int, seconds: float, cycle: bool, folder: Path) -> Window:
    """What ``pid`` wrote and synced over ``seconds`` of real time."""
    trace = folder / f"strace-{'cycle' if cycle else 'idle'}.txt"
    tracer = subprocess.Popen(
        ["strace", "-f", "-C", "-y", "-s", "0", "-e", "trace=fsync,fdatasync,pwrite64",
         "-o", str(trace), "-p", str(pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    time.sleep(0.5)  # attached to every thread by now
    start_ns, started, before = time.time_ns(), time.monotonic(), write_bytes(pid)
    time.sleep(seconds)
    after, elapsed, end_ns = write_bytes(pid), time.monotonic() - started, time.time_ns()
    tracer.send_signal(signal.SIGINT)
    _, said = tracer.communicate(timeout=30)
    assert "attached" in said, said
    text = trace.read_text(errors="replace")
    return Window(
        cycle, start_ns, end_ns, elapsed, after - before, blocks_written(text), strace_counts(text)
    )


@contextmanager
def piped(
    args: list[str], log: Path, stop: signal.Signals = signal.SIGTERM
) -> Iterator[subprocess.Popen[bytes]]:
    """A process whose output this process copies to ``log``: its own writes are then only
    its disk's, as under systemd, where the journal daemon takes the log. ``stop`` ends it."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    stream = process.stdout

    def pump() -> None:
        with log.open("wb") as out:
            for line in stream:
                out.write(line)
                out.flush()

    copier = threading.Thread(target=pump, daemon=True)
    copier.start()
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(stop)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        copier.join(timeout=5)


def wait_for_line(process: subprocess.Popen[bytes], log: Path, text: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not log.exists() or text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            found = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(f"the {log.stem} process did not log {text!r}; its log:\n{found}")
        time.sleep(0.1)


def post(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def lab_files(folder: Path, mqtt_port: int, influxdb: InfluxServer, database: str) -> Path:
    """The benchmark lab's settings (``write_lab``, with InfluxDB) and a late heating."""
    settings_file, scenario_file = write_lab(folder, mqtt_port)
    data = tomllib.loads(settings_file.read_text(encoding="utf-8"))
    data["influxdb"] = {"enabled": True, "url": influxdb.url, "database": database}
    settings_file.write_text(toml_text(data), encoding="utf-8")
    scenario = tomllib.loads(scenario_file.read_text(encoding="utf-8"))
    for pasteuriser in scenario["pasteurisers"]:
        for cycle in pasteuriser.get("cycles", []):
            cycle["start_min"] = HEATING_AT_MIN
    scenario_file.write_text(toml_text(scenario), encoding="utf-8")
    load_scenario(scenario_file)  # a mistake in the files fails here, not in a subprocess
    return settings_file


def count_readings(journal: Path, windows: list[Window]) -> tuple[list[Window], int]:
    """Each window with its readings counted, and how many of the last went to a cycle."""
    counted, in_cycles = [], 0
    with JournalReader(journal) as reader:
        records = [r for s in reader.stream_names() for r in reader.stream_records(s)]
    for window in windows:
        inside = [
            r for r in records if r.kind == "reading" and window.start_ns <= r.ts < window.end_ns
        ]
        counted.append(Window(**{**window.__dict__, "readings": len(inside)}))
        if window.cycle:
            in_cycles = sum(parse_stream(r.stream).kind is StreamKind.CYCLE for r in inside)
    return counted, in_cycles


def report(windows: list[Window], journal_bytes: int, records: int) -> str:
    lines = ["\nlactamon run, lab at 1x (3 Modbus probes at 1 Hz, 8 MQTT probes every 10 s):"]
    for w in windows:
        goal_bytes, goal_syncs = GOALS[w.cycle]
        blocks, per_s = w.blocks_per_reading, w.syncs_per_s
        lines.append(
            f"  {'cycle running' if w.cycle else 'no cycle'}: {w.readings} readings in "
            f"{w.seconds:.0f} s\n"
            f"    4 KiB blocks written {w.blocks_bytes / 1024:,.0f} KiB = {blocks:,.0f} B per "
            f"reading (goal <= {goal_bytes:,.0f}: {'met' if blocks <= goal_bytes else 'MISSED'})"
            f", {w.blocks_bytes / w.seconds * 86400 / 2**20:,.0f} MiB a day at this rate\n"
            f"    /proc write_bytes {w.write_bytes / 1024:,.0f} KiB = {w.bytes_per_reading:,.0f} "
            f"B per reading, {w.write_bytes / w.seconds * 86400 / 2**20:,.0f} MiB a day\n"
            f"    {per_s:.2f} syncs/s (goal <= {goal_syncs:g}: "
            f"{'met' if per_s <= goal_syncs else 'MISSED'}; "
            f"fdatasync {w.syncs['fdatasync']}, fsync {w.syncs['fsync']})"
        )
    lines.append(
        f"  journal at the end: {journal_bytes / 1024:.0f} KiB for {records} records, "
        f"{journal_bytes / max(1, records):.0f} B per record (pages, indexes and slack included)"
    )
    return "\n".join(lines)


def test_sd_card_writes_at_the_lab_load(
    tmp_path: Path, mosquitto: Any, influxdb: InfluxServer, influxdb_database: str
) -> None:
    assert shutil.which("strace"), "the benchmark counts syncs with strace"
    settings_file = lab_files(tmp_path, mosquitto.port, influxdb, influxdb_database)
    settings = load_settings(settings_file)
    keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="bench")
    users.close()
    api = f"http://127.0.0.1:{settings.web.port}/api"

    sim_args = [str(BIN / "lactamon-sim"), "--config", str(settings_file), "--scenario",
                str(tmp_path / "scenario.toml"), "--speed", "1", "--report-min", "60"]  # fmt: skip
    run_args = [str(BIN / "lactamon"), "run", "--config", str(settings_file)]
    windows = []
    with (
        piped(sim_args, tmp_path / "sim.log", signal.SIGINT),  # its Ctrl-C
        piped(run_args, tmp_path / "daemon.log") as daemon,
    ):
        wait_for_line(daemon, tmp_path / "daemon.log", "lactamon running", 30)
        time.sleep(WARM_UP_S)
        windows.append(measure(daemon.pid, WINDOW_S, False, tmp_path))
        lot = {"user": "anne", "password": PW, "lot": "L2026-001", "sub_lots": ["D1"],
               "total_flora_cfu_ml": 8e3, "s_aureus_cfu_ml": 10}  # fmt: skip
        assert post(api + "/lots", lot)[0] == 201
        start = {"user": "anne", "password": PW, "pasteuriser": "P1", "program": "holder63",
                 "lots": ["L2026-001"]}  # fmt: skip
        status, cycle = post(api + "/cycles", start)
        assert status == 201, cycle
        time.sleep(CYCLE_WARM_UP_S)
        windows.append(measure(daemon.pid, WINDOW_S, True, tmp_path))
        assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()
    assert daemon.returncode == 0, (tmp_path / "daemon.log").read_text()

    journal = settings.journal.path
    windows, in_cycle = count_readings(journal, windows)
    with JournalReader(journal) as reader:
        records = sum(len(reader.stream_records(s)) for s in reader.stream_names())
        delivered = reader.sent_up_to("influxdb")
    print(report(windows, os.path.getsize(journal), records))
    for window in windows:
        # 3 Modbus probes at 1 Hz and 8 MQTT probes every 10 s: 3.8 readings a second.
        assert window.readings >= 3.0 * window.seconds, window
    assert in_cycle >= 2.5 * windows[-1].seconds  # the pasteuriser's 3 probes, in the cycle
    assert delivered > 0
    assert influxdb.count(influxdb_database, 'SELECT count("value") FROM "lactamon_reading"') > 0
    assert verify_journal(journal).ok
