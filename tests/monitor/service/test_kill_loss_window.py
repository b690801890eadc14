"""What a SIGKILL takes from the journal: at most 10 s of cold-chain readings, 1 s of a cycle.

The daemon runs as a process of its own (``daemon_process``) with the journal's production
commit policy (``commit_interval_s`` 1 s, ``cold_commit_interval_s`` 10 s) against the
simulator, which runs in the test's loop at 10x over Modbus TCP and a real Mosquitto. It is
killed twice with SIGKILL, as a crash or a power cut would stop it: first while no cycle
runs, then, started again, a few seconds into a holder63 cycle. The bounds are in real
seconds whatever the simulation speed, so each committed reading's stamp is turned back into
the real instant it was read (the shared ``ScaledClock``): the last reading of a stream on
disk is at most the bound, plus one sample period and some scheduling slack, older than the
kill. Chains have no holes, so every reading older than that is on disk too.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import aiohttp
from argon2 import PasswordHasher

from config.loading import validate_mapping
from monitor.clock import NS_PER_S, ScaledClock
from monitor.journal import JournalReader, Record, keygen, verify_journal
from monitor.journal.streams import StreamKind, parse_stream
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_scenario
from simulator.session import Simulation
from tests.fixtures.api_token import READ_HEADERS
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.monitor.service.daemon_process import Daemons
from tests.monitor.service.kill_runs import exit_code, post, serving
from tests.monitor.service.lab_settings import lab_settings_mapping

# The pasteuriser heats 4 simulated minutes after the lab starts (24 s of real time): after
# the first kill, and after the cycle is started.
SCENARIO = Path(__file__).parent / "scenarios" / "long-hold.toml"
SPEED = 10.0
COMMIT_S, COLD_COMMIT_S = 1.0, 10.0
PASTEURISER_PERIOD_S = 1.0  # simulated: 0.1 s of real time between the pasteuriser's readings
ENCLOSURE_PERIOD_S = 10.0  # simulated: 1 s of real time
# A commit is due at the committer's next turn; on a busy machine the loop may come late.
SLACK_S = 0.6
RUN_BEFORE_KILL_S = 14.0  # real: longer than the cold bound
CYCLE_BEFORE_KILL_S = 6.0
PW = "correct horse battery"


def lab(folder: Path, mqtt_port: int) -> Daemons:
    data = lab_settings_mapping(
        folder,
        mqtt_port,
        web={"host": "127.0.0.1", "port": free_port()},
        journal={
            "path": str(folder / "journal.sqlite"),
            "commit_interval_s": COMMIT_S,
            "cold_commit_interval_s": COLD_COMMIT_S,
        },
    )
    for probe in data["probes"]:
        pasteuriser = probe["id"].startswith("P1-")
        probe["sample_period_s"] = PASTEURISER_PERIOD_S if pasteuriser else ENCLOSURE_PERIOD_S
    config = folder / "settings.json"
    config.write_text(json.dumps(data, default=str))
    settings = validate_mapping(json.loads(config.read_text()), str(config))
    return Daemons(config, settings, ScaledClock(SPEED), folder)


def real_instant(clock: ScaledClock, ts: int) -> float:
    """The ``time.monotonic()`` at which ``clock`` read ``ts``."""
    return clock.real_start + (ts - clock.origin_ns) / NS_PER_S / clock.speed


def last_readings(journal: Path) -> dict[str, Record]:
    """The last reading on disk of each stream."""
    with JournalReader(journal) as reader:
        found = {s: reader.stream_records(s) for s in reader.stream_names()}
    last = {}
    for stream, records in found.items():
        readings = [r for r in records if r.kind == "reading"]
        if readings:
            last[stream] = readings[-1]
    return last


def lost_s(daemons: Daemons, killed_at: float, kinds: set[StreamKind]) -> dict[str, float]:
    """For each stream of ``kinds``: how long before the kill its last reading on disk was
    read, in real seconds."""
    found = last_readings(daemons.settings.journal.path)
    return {
        stream: killed_at - real_instant(daemons.clock, record.ts)
        for stream, record in found.items()
        if parse_stream(stream).kind in kinds
    }


async def killed(process: subprocess.Popen[bytes]) -> float:
    """SIGKILL now; the real instant of the kill."""
    at = time.monotonic()
    os.kill(process.pid, signal.SIGKILL)
    assert await exit_code(process, 10) == -signal.SIGKILL
    return at


async def until_read(url: str, probes: tuple[str, ...]) -> None:
    """Until the daemon has a reading of each of ``probes``: a cycle start needs them."""
    async with aiohttp.ClientSession(headers=READ_HEADERS) as session:
        for _ in range(200):
            async with session.get(url + "/api/status") as response:
                status = await response.json()
            seen = {p["probe"]: p for p in status["probes"]}
            if all(seen[p]["value"] is not None for p in probes):
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"no reading of {probes}")


async def test_a_kill_loses_at_most_the_commit_bounds(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    daemons = lab(tmp_path, mosquitto.port)
    settings = daemons.settings
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.close()
    url = f"http://127.0.0.1:{settings.web.port}"
    cold = {StreamKind.ENCLOSURE_DAY, StreamKind.PASTEURISER_DAY}
    try:
        async with Simulation(settings, Lab.from_scenario(load_scenario(SCENARIO)), daemons.clock):
            first = daemons.start()
            await serving(daemons, first, 30)
            await asyncio.sleep(RUN_BEFORE_KILL_S)
            idle_kill = await killed(first)
            idle_lost = await asyncio.to_thread(lost_s, daemons, idle_kill, cold)

            second = daemons.start()
            await serving(daemons, second, 30)
            await until_read(url, ("P1-bath", "P1-ref"))
            lot = {"user": "anne", "password": PW, "lot": "L2026-009", "sub_lots": ["D1"],
                   "total_flora_cfu_ml": 8e3, "s_aureus_cfu_ml": 10}  # fmt: skip
            assert (await post(url, "/api/lots", lot))[0] == 201
            start = {"user": "anne", "password": PW, "pasteuriser": "P1",
                     "program": "holder63", "lots": ["L2026-009"]}  # fmt: skip
            status, cycle = await post(url, "/api/cycles", start)
            assert status == 201, cycle
            await asyncio.sleep(CYCLE_BEFORE_KILL_S)
            cycle_kill = await killed(second)
            cycle_lost = await asyncio.to_thread(lost_s, daemons, cycle_kill, {StreamKind.CYCLE})
    finally:
        daemons.stop_all()

    # Without a cycle, the enclosures' and the idle pasteuriser's readings are cold: a kill
    # takes at most the cold bound of them.
    enclosures = [s for s in idle_lost if parse_stream(s).kind is StreamKind.ENCLOSURE_DAY]
    assert len(enclosures) == 3, idle_lost  # two fridges and a freezer
    for stream, lost in idle_lost.items():
        period = (PASTEURISER_PERIOD_S if "pasteuriser" in stream else ENCLOSURE_PERIOD_S) / SPEED
        assert 0 <= lost <= COLD_COMMIT_S + period + SLACK_S, (stream, lost, idle_lost)
    # A running cycle's readings are urgent: a kill takes at most the commit interval.
    assert list(cycle_lost) == [cycle["cycle"]], cycle_lost
    lost = cycle_lost[cycle["cycle"]]
    assert 0 <= lost <= COMMIT_S + PASTEURISER_PERIOD_S / SPEED + SLACK_S, lost
    # The cycle's start, an event, was on disk before the kill too.
    with JournalReader(settings.journal.path) as reader:
        kinds = [r.kind for r in reader.stream_records(cycle["cycle"])]
    assert kinds[0] == "cycle_started", kinds
    report = verify_journal(settings.journal.path, public_key)
    assert report.ok, report.format()
