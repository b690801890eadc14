"""Steady-state footprint of ``lactamon run`` on the demo lab at 1x: RSS and CPU of the daemon.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_demo_footprint.py -s`` (about 6 min).
The lab is the example simulator lab with five more MQTT sensors: 3 Modbus TCP probes read at
1 Hz and 8 MQTT probes publishing every 10 s (five fridges and three freezers, in every
payload style), served by ``lactamon-sim`` at 1x through a real Mosquitto on loopback. The
daemon runs as its own process from a generated settings file, as systemd would start it,
with the journal as in production. After a warm-up, its CPU time (utime + stime from
``/proc/<pid>/stat``) is taken over a window and its RSS (``VmRSS``) sampled every second.
Limits: RSS <= 80 MB, CPU <= 0.5 % of one core; goals: 60 MiB, 0.15 s of CPU a minute.
Figures are printed; what is asserted is that the daemon stopped cleanly and journaled every
probe, the Modbus ones at about 1 Hz.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from config import load_settings
from monitor.journal import JournalReader, keygen
from monitor.users import Role, UserStore
from simulator.scenario import SCENARIO_DIR, load_scenario
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.monitor.service.lab_settings import EXAMPLE

pytestmark = pytest.mark.benchmark

WARM_UP_S = 15.0
# Long: the daemon takes some 0.15 s of CPU a minute, counted in 10 ms ticks, and its timers
# (the re-check every 5 s, the cold commits every 10 s) fall unevenly into a short window.
WINDOW_S = 300.0
LIMIT_RSS_MB, GOAL_RSS_MIB = 80.0, 60.0
LIMIT_CPU_PERCENT, GOAL_CPU_S_PER_MIN = 0.5, 0.15
BIN = Path(sys.executable).parent
TICKS_PER_S = os.sysconf("SC_CLK_TCK")

# The five MQTT sensors added to the example's three: (probe, enclosure, kind, source).
EXTRA_MQTT = [
    ("F3-air", "F3", "fridge", {"topic": "zigbee2mqtt/fridge-3", "format": "zigbee2mqtt"}),
    ("F4-air", "F4", "fridge", {"topic": "tele/fridge-4/SENSOR", "format": "tasmota"}),
    ("F5-air", "F5", "fridge", {"topic": "sensors/fridge-5/temperature", "format": "number"}),
    (
        "Z2-air",
        "Z2",
        "freezer",
        {"topic": "shellies/freezer-2/status/temperature:0", "format": "shelly"},
    ),
    (
        "Z3-air",
        "Z3",
        "freezer",
        {"topic": "lab/freezer-3", "format": "json", "json_path": "sensor.temperature"},
    ),
]


def toml_text(data: Mapping[str, object]) -> str:
    """Enough TOML for settings and scenario files: tables, arrays of tables, inline values."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not _section(v)]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]", *(f"{_key(k)} = {_value(v)}" for k, v in value.items())]
        elif _section(value):
            assert isinstance(value, list)
            for item in value:
                lines += ["", f"[[{_key(key)}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _section(value: object) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        assert math.isfinite(value), value
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string: the same quotes and escapes.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def write_lab(folder: Path, mqtt_port: int) -> tuple[Path, Path]:
    """The settings file and the scenario file of the benchmark's lab."""
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["clock"]["speed"] = 1.0
    data["mqtt"]["port"] = mqtt_port
    data["modbus"][0]["port"] = free_port()
    data["journal"] = {"path": str(folder / "journal.sqlite")}
    data["signing"] = {"key_file": str(folder / "device.key")}
    data["users"] = {"path": str(folder / "users.sqlite")}
    data["web"] = {"host": "127.0.0.1", "port": free_port()}
    scenario = tomllib.loads((SCENARIO_DIR / "normal-day.toml").read_text(encoding="utf-8"))
    for probe_id, enclosure_id, kind, source in EXTRA_MQTT:
        data["probes"].append({
            "id": probe_id,
            "name": f"{kind.title()} {enclosure_id}, air",
            "source": {"kind": "mqtt", **source},
            "sample_period_s": 10.0,
            "calibration_due": date(2027, 5, 1),
        })  # fmt: skip
        data["enclosures"].append(
            {
                "id": enclosure_id,
                "name": f"{kind.title()} {enclosure_id}",
                "kind": kind,
                "probes": [probe_id],
            }
        )
        device: dict[str, object] = {"id": enclosure_id, "probe": probe_id, "link": "mqtt"}
        if kind == "fridge":
            scenario["fridges"].append({**device, "setpoint_c": 3.0})
        else:
            # The first defrost well after the run: a steady state, not a defrost cycle.
            scenario["freezers"].append({**device, "setpoint_c": -20.0, "first_defrost_min": 600})
    settings_file, scenario_file = folder / "lab.toml", folder / "scenario.toml"
    settings_file.write_text(toml_text(data), encoding="utf-8")
    scenario_file.write_text(toml_text(scenario), encoding="utf-8")
    return settings_file, scenario_file


@contextmanager
def running(args: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process with its output in ``log``, asked to stop with SIGTERM (as systemd does)."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def cpu_s(pid: int) -> float:
    # Fields after the parenthesised command name; utime and stime are fields 14 and 15,
    # summed over all the threads of the process.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def status_value(pid: int, name: str) -> int:
    """A number from /proc/<pid>/status (sizes are in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise LookupError(f"{name} not in /proc/{pid}/status")


def wait_for_line(process: subprocess.Popen[bytes], log: Path, text: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the {log.stem} process did not log {text!r}; its log:\n{log.read_text()}")
        time.sleep(0.1)


def verdict(held: bool) -> str:
    return "met" if held else "MISSED"


def readings_by_probe(journal: Path, start_ns: int, end_ns: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    with JournalReader(journal) as reader:
        for stream in reader.stream_names():
            for record in reader.stream_records(stream):
                if record.kind == "reading" and start_ns <= record.ts < end_ns:
                    counts[str(record.fields["probe"])] += 1
    return counts


def test_demo_lab_footprint_at_1x(tmp_path: Path, mosquitto: MosquittoBroker) -> None:
    settings_file, scenario_file = write_lab(tmp_path, mosquitto.port)
    settings = load_settings(settings_file)
    load_scenario(scenario_file)  # a mistake in the files fails here, not in a subprocess
    modbus = [p.id for p in settings.probes if p.source.kind == "modbus"]
    mqtt = [p.id for p in settings.probes if p.source.kind == "mqtt"]
    assert (len(modbus), len(mqtt)) == (3, 8)
    keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, "correct horse battery", by="bench")
    users.close()

    sim_args = [str(BIN / "lactamon-sim"), "--config", str(settings_file), "--scenario",
                str(scenario_file), "--speed", "1", "--report-min", "60"]  # fmt: skip
    run_args = [str(BIN / "lactamon"), "run", "--config", str(settings_file)]
    load_before = os.getloadavg()
    with (
        running(sim_args, tmp_path / "sim.log") as sim,
        running(run_args, tmp_path / "daemon.log") as daemon,
    ):
        wait_for_line(daemon, tmp_path / "daemon.log", "lactamon running", 30)
        time.sleep(WARM_UP_S)
        assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()
        start_ns, started = time.time_ns(), time.monotonic()
        cpu0, sim_cpu0 = cpu_s(daemon.pid), cpu_s(sim.pid)
        rss_kb = []
        while time.monotonic() - started < WINDOW_S:
            rss_kb.append(status_value(daemon.pid, "VmRSS"))
            time.sleep(1.0)
        cpu1, sim_cpu1 = cpu_s(daemon.pid), cpu_s(sim.pid)
        elapsed, end_ns = time.monotonic() - started, time.time_ns()
        peak_kb = status_value(daemon.pid, "VmHWM")
        threads = status_value(daemon.pid, "Threads")
        # Private heap against mapped files (code and shared libraries, partly shared).
        anon_kb, file_kb = status_value(daemon.pid, "RssAnon"), status_value(daemon.pid, "RssFile")
        load_after = os.getloadavg()
    assert daemon.returncode == 0, (tmp_path / "daemon.log").read_text()

    counts = readings_by_probe(settings.journal.path, start_ns, end_ns)
    modbus_rate = sum(counts[p] for p in modbus) / len(modbus) / elapsed
    mqtt_period = len(mqtt) * elapsed / max(1, sum(counts[p] for p in mqtt))
    cpu_percent = (cpu1 - cpu0) / elapsed * 100
    sim_percent = (sim_cpu1 - sim_cpu0) / elapsed * 100
    rss_mb = [kb / 1024 for kb in rss_kb]
    cpu_per_min = (cpu1 - cpu0) / elapsed * 60
    print(
        f"\nlactamon run, demo lab at 1x: {len(modbus)} Modbus TCP probes "
        f"(journaled at {modbus_rate:.2f} Hz each), {len(mqtt)} MQTT probes (one reading per "
        f"{mqtt_period:.1f} s each); window {elapsed:.0f} s after {WARM_UP_S:.0f} s of warm-up"
        f"\n  daemon CPU {cpu_percent:.2f} % of one core ({cpu1 - cpu0:.2f} s, "
        f"{cpu_per_min:.3f} s a minute; limit {LIMIT_CPU_PERCENT:g} %: "
        f"{verdict(cpu_percent <= LIMIT_CPU_PERCENT)}, goal {GOAL_CPU_S_PER_MIN:g} s a minute: "
        f"{verdict(cpu_per_min <= GOAL_CPU_S_PER_MIN)})"
        f"\n  daemon RSS {min(rss_mb):.1f} .. {max(rss_mb):.1f} MB over the window, peak (VmHWM)"
        f" {peak_kb / 1024:.1f} MB (limit {LIMIT_RSS_MB:g} MB: "
        f"{verdict(max(rss_mb) <= LIMIT_RSS_MB)}, goal {GOAL_RSS_MIB:g} MiB: "
        f"{verdict(max(rss_kb) <= GOAL_RSS_MIB * 1024)}); at the end "
        f"{anon_kb / 1024:.1f} MB anonymous + {file_kb / 1024:.1f} MB file-backed, "
        f"{threads} threads"
        f"\n  simulator process CPU {sim_percent:.2f} % of one core"
        f"\n  load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{os.cpu_count()} CPUs"
    )
    assert all(counts[p] > 0 for p in modbus + mqtt), counts
    assert modbus_rate > 0.8
