"""SIGKILL mid-hold, then restart: the cycle resumes, the gap recorded, the policy's verdict.

The daemon runs as a process of its own (``daemon_process``) against the simulator, which
runs in the test's loop over Modbus TCP and a real Mosquitto. A technician starts a holder63
cycle over the API; some minutes into the hold the process is killed with SIGKILL, then a
new process is started on the same journal. Both processes and the simulator share one
accelerated timeline (one speed, origin and real start), so the outage is simulated minutes
of silence, as a crash or a power cut would leave in a lab.

The new process resumes the cycle from the journal (``cycle_resumed``), records the unclean
start (``unclean_restart``, an alarm and a notification), and the outage is a gap in the
hold: under policy ``restart`` the hold starts again and, the device holding 60 minutes,
the cycle passes; under ``fail`` the cycle fails for the gap. The journal verifies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import aiomqtt
import pytest
from argon2 import PasswordHasher

from config.loading import validate_mapping
from monitor.alarms import Priority
from monitor.clock import NS_PER_S, ScaledClock
from monitor.journal import JournalReader, Record, keygen, verify_journal
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_scenario
from simulator.session import Simulation
from tests.fixtures.api_token import READ_HEADERS
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.monitor.service.daemon_process import Daemons
from tests.monitor.service.lab_settings import lab_settings_mapping

# The device holds 60 min, twice the program's 30: a hold restarted after the outage can
# still be proven before the milk is cooled. Its setpoint (64 °C) is above the program's and
# the reference probe is noise-free, so probe noise at 63 °C cannot break the hold before
# the kill: the only gap the test sees is the outage.
SCENARIO = Path(__file__).parent / "scenarios" / "long-hold.toml"
SPEED = 300.0
# The new process is started once the lab has run this long without a monitor, as when the
# power comes back: the outage outlasts the gap limit however fast the restart is. With the
# restart itself (1-2 s of real time, 5-10 simulated minutes) the device's plateau still
# leaves some 20 minutes of slack for the restarted hold.
OUTAGE_S = 5 * 60
# Twenty 10-s sample periods (0.67 s of real time): a busy machine stalling a process for a
# moment does not break the hold, the outage does.
GAP_PERIODS = 20
HELD_BEFORE_KILL_S = 5 * 60
PW = "correct horse battery"
LOT = "L2026-007"


@pytest.fixture
def lab_config(tmp_path: Path, mosquitto: MosquittoBroker, request: pytest.FixtureRequest) -> Path:
    data = lab_settings_mapping(
        tmp_path,
        mosquitto.port,
        web={"host": "127.0.0.1", "port": free_port()},  # both processes serve here
        pasteurisation={"hold_policy": request.param, "gap_periods": GAP_PERIODS},
    )
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data, default=str))
    return path


@pytest.fixture
def daemons(lab_config: Path, tmp_path: Path) -> Iterator[Daemons]:
    settings = validate_mapping(json.loads(lab_config.read_text()), str(lab_config))
    running = Daemons(lab_config, settings, ScaledClock(SPEED), tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


async def until(
    check: Callable[[], bool], timeout_s: float, what: str, daemons: Daemons, *, journal: bool
) -> None:
    """Wait for ``check``; a ``journal`` check reads the file in a thread, seldom, because the
    simulator shares this loop and a stalled simulator is a silent lab."""
    interval_s = 0.2 if journal else 0.05
    for _ in range(int(timeout_s / interval_s)):
        if await asyncio.to_thread(check) if journal else check():
            return
        await asyncio.sleep(interval_s)
    raise AssertionError(f"timed out waiting for {what}\n{daemons.log_tail()}")


async def exit_code(process: subprocess.Popen[bytes], timeout_s: float) -> int:
    for _ in range(int(timeout_s / 0.02)):
        code = process.poll()
        if code is not None:
            return code
        await asyncio.sleep(0.02)
    raise AssertionError(f"daemon process {process.pid} did not exit within {timeout_s} s")


async def until_serving(url: str, process: subprocess.Popen[bytes], daemons: Daemons) -> None:
    async with aiohttp.ClientSession(headers=READ_HEADERS) as session:
        for _ in range(300):
            if process.poll() is not None:
                raise AssertionError(f"the daemon exited ({process.returncode})\n"
                                     f"{daemons.log_tail()}")  # fmt: skip
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url + "/api/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise AssertionError(f"the daemon did not serve {url}\n{daemons.log_tail()}")


async def until_reading(url: str, probes: tuple[str, ...], daemons: Daemons) -> None:
    """Until the daemon has a reading of each of ``probes``: a cycle start needs them."""
    async with aiohttp.ClientSession(headers=READ_HEADERS) as session:
        for _ in range(200):
            async with session.get(url + "/api/status") as response:
                status = await response.json()
            seen = {p["probe"]: p for p in status["probes"]}
            if all(seen[p]["value"] is not None for p in probes):
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"no reading of {probes}\n{daemons.log_tail()}")


async def post(url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s, s.post(url + path, json=body) as r:
        return r.status, await r.json()


def records(journal: Path, stream: str) -> list[Record]:
    with JournalReader(journal) as reader:
        return reader.stream_records(stream)


def held_long_enough(journal: Path, stream: str) -> bool:
    """Committed (on disk, so a kill cannot take it): the hold started and has run a while."""
    found = records(journal, stream)
    started = [r for r in found if r.kind == "hold_started"]
    if not started:
        return False
    last = max(r.ts for r in found if r.kind == "reading" and r.fields["probe"] == "P1-ref")
    return last - started[0].ts >= HELD_BEFORE_KILL_S * NS_PER_S


class Notifications:
    """What the daemon publishes on ``<prefix>/alarms/notifications``, as it arrives."""

    def __init__(self, broker: MosquittoBroker, topic: str) -> None:
        self.broker = broker
        self.topic = topic
        self.received: list[dict[str, Any]] = []
        self.subscribed = asyncio.Event()

    async def run(self) -> None:
        async with aiomqtt.Client(self.broker.host, self.broker.port) as client:
            await client.subscribe(self.topic, qos=1)
            self.subscribed.set()
            async for message in client.messages:
                assert isinstance(message.payload, bytes)
                self.received.append(json.loads(message.payload))

    def about(self, key: str) -> list[dict[str, Any]]:
        return [note for note in self.received if key in note["alarms"]]


@pytest.mark.parametrize("lab_config", ["restart", "fail"], indirect=True)
async def test_sigkill_mid_hold_then_restart(daemons: Daemons, mosquitto: MosquittoBroker) -> None:
    settings = daemons.settings
    policy = settings.pasteurisation.hold_policy
    journal = settings.journal.path
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.close()
    assert settings.mqtt is not None
    url = f"http://127.0.0.1:{settings.web.port}"

    first = daemons.start()
    await until_serving(url, first, daemons)
    lot = {"user": "anne", "password": PW, "lot": LOT, "sub_lots": ["D1"],
           "total_flora_cfu_ml": 8e3, "s_aureus_cfu_ml": 10}  # fmt: skip
    assert (await post(url, "/api/lots", lot))[0] == 201
    start = {"user": "anne", "password": PW, "pasteuriser": "P1", "program": "holder63",
             "lots": [LOT]}  # fmt: skip

    notes = Notifications(mosquitto, f"{settings.mqtt.prefix}/alarms/notifications")
    listener = asyncio.create_task(notes.run(), name="notification-listener")
    # A cycle is started once its probes answer (a start is refused while they cannot), and
    # before the pasteuriser heats (4 simulated minutes after the lab starts, under a second
    # of real time), so its heating is never taken for an unregistered cycle.
    lab = Lab.from_scenario(load_scenario(SCENARIO))
    try:
        async with Simulation(settings, lab, daemons.clock):
            await until_reading(url, ("P1-bath", "P1-ref"), daemons)
            status, cycle = await post(url, "/api/cycles", start)
            assert status == 201, cycle
            stream = cycle["cycle"]
            await asyncio.wait_for(notes.subscribed.wait(), 10)
            await until(lambda: held_long_enough(journal, stream), 60, "minutes of hold",
                        daemons, journal=True)  # fmt: skip
            os.kill(first.pid, signal.SIGKILL)
            assert await exit_code(first, 10) == -signal.SIGKILL
            before = await asyncio.to_thread(records, journal, stream)
            assert any(r.kind == "hold_started" for r in before)
            assert not any(r.kind in ("hold_completed", "seal") for r in before)

            await daemons.clock.sleep(OUTAGE_S)
            second = daemons.start()
            await until(lambda: records(journal, stream)[-1].kind == "seal", 90,
                        "the resumed cycle to close", daemons, journal=True)  # fmt: skip
            await until(lambda: bool(notes.about("unclean_restart:device")), 10,
                        "the unclean restart notification", daemons, journal=False)  # fmt: skip
            second.terminate()
            assert await exit_code(second, 15) == 0, daemons.log_tail()
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
            await listener

    report = verify_journal(journal, public_key)
    assert report.ok, report.format()
    with JournalReader(journal) as reader:
        cycle_records = reader.stream_records(stream)
        device = reader.stream_records("device")
        alarm_records = reader.stream_records("alarms")
    check_resumed_cycle(cycle_records, before, policy)
    kinds = [r.kind for r in device]
    assert "journal_reopened" in kinds, kinds  # the journal's own record of the unclean end
    unclean = [r for r in device if r.kind == "unclean_restart"]
    assert len(unclean) == 1, kinds
    resumed = next(r for r in cycle_records if r.kind == "cycle_resumed")
    assert unclean[0].ts == resumed.ts
    transitions = [r for r in alarm_records if r.kind.startswith("alarm_")]
    unclean_alarm = [r for r in transitions if r.fields["alarm"] == "unclean_restart:device"]
    raised = [r for r in unclean_alarm if r.kind == "alarm_raised"]
    assert len(raised) == 1, [r.fields for r in unclean_alarm]
    assert raised[0].fields["priority"] == Priority.HIGH
    raised_keys = {r.fields["alarm"] for r in transitions if r.kind == "alarm_raised"}
    assert f"hold_interrupted:{stream}" in raised_keys
    assert (f"cycle_failed:{stream}" in raised_keys) == (policy == "fail")
    # A resumed cycle is a registered one: the hot pasteuriser is no unregistered cycle.
    assert "unregistered_cycle:P1" not in raised_keys
    note = notes.about("unclean_restart:device")[0]
    assert note["reason"] == "raised", note
    assert note["priority"] == Priority.HIGH
    assert "did not stop cleanly" in note["message"], note


def check_resumed_cycle(found: list[Record], before: list[Record], policy: str) -> None:
    """The cycle stream after the restart: resumed, the outage a gap, the policy's verdict."""
    kinds = [r.kind for r in found]
    assert found[: len(before)] == before  # the restart appended, it rewrote nothing
    assert kinds.count("cycle_resumed") == 1, kinds
    assert "reading_rejected" not in kinds  # one timeline: no reading older than the journal
    resumed_at = kinds.index("cycle_resumed")
    assert resumed_at == len(before), kinds[len(before) - 3 :]
    resumed = found[resumed_at]
    last_proof = max(r.ts for r in before if r.kind == "reading" and r.fields["probe"] == "P1-ref")
    assert resumed.ts > last_proof

    after = found[resumed_at:]
    interrupted = [r for r in after if r.kind == "hold_interrupted"]
    assert len(interrupted) == 1, [r.kind for r in after if r.kind != "reading"]
    gap = interrupted[0]
    assert gap.fields["cause"] == "gap"
    assert gap.fields["probe_id"] == "P1-ref"
    assert gap.fields["since_ts"] == last_proof  # the last reading committed before the kill
    gap_limit_s = found[0].fields["gap_limit_s"]  # cycle_started states the rules it runs by
    assert isinstance(gap_limit_s, float)
    assert gap.ts - last_proof > max(gap_limit_s, OUTAGE_S) * NS_PER_S
    ended = next(r for r in after if r.kind == "hold_interruption_ended")
    assert ended.fields["since_ts"] == last_proof
    closing = [r for r in found if r.kind in ("cycle_passed", "cycle_failed", "cycle_aborted")]
    assert len(closing) == 1, kinds
    verdict = closing[0].fields
    assert kinds[-1] == "seal"

    if policy == "restart":
        assert ended.fields["recovered"] is True
        assert closing[0].kind == "cycle_passed", verdict
        holds = [r for r in found if r.kind == "hold_started"]
        assert [h.fields["attempt"] for h in holds] == [1, 2]
        assert holds[1].ts >= gap.ts
        completed = next(r for r in found if r.kind == "hold_completed")
        assert completed.fields["hold_started_ts"] == holds[1].ts
        assert completed.ts - holds[1].ts >= 30 * 60 * NS_PER_S
        assert verdict["hold_restarts"] == 1
        assert verdict["hold_started_ts"] == holds[1].ts
    else:
        assert ended.fields["recovered"] is False
        assert closing[0].kind == "cycle_failed", verdict
        assert closing[0].ts == gap.ts  # failed by the gap itself, nothing later
        assert "hold policy 'fail'" in str(verdict["reasons"]), verdict
        assert "hold_completed" not in kinds
