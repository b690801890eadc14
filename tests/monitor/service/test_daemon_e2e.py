"""The daemon end to end: simulator over Modbus TCP and a real Mosquitto, accelerated.

One accelerated morning: a lot is registered and a holder63 cycle started by a technician
over the API; the cycle passes; the quarantine fridge's door is left ajar past the
10-minute delay; the freezer's probe goes silent. Every alarm is raised, an inspector's
acknowledgement is refused, a technician's is recorded, and the journal verifies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from argon2 import PasswordHasher

from monitor.alarms import AlarmState
from monitor.clock import NS_PER_S, ScaledClock
from monitor.journal import JournalReader, keygen, verify_journal
from monitor.service.daemon import Daemon
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.service.lab_settings import lab_settings

SPEED = 300.0
PW = "correct horse battery"


async def until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def post(url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s, s.post(url + path, json=body) as r:
        return r.status, await r.json()


async def test_a_morning_end_to_end(tmp_path: Path, mosquitto: MosquittoBroker) -> None:
    settings = lab_settings(tmp_path, mosquitto.port)
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.add(0, "ines", "Inès Roux", Role.INSPECTOR, PW, by="test")
    users.close()

    clock = ScaledClock(SPEED)
    lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
    daemon = Daemon(settings, clock)
    async with Simulation(settings, lab, clock):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            url = daemon.api_url
            lot = {"user": "anne", "password": PW, "lot": "L2026-001", "sub_lots": ["D1", "D2"],
                   "total_flora_cfu_ml": 8e3, "s_aureus_cfu_ml": 10}  # fmt: skip
            assert (await post(url, "/api/lots", lot))[0] == 201
            too_dirty = {**lot, "lot": "L2026-002", "total_flora_cfu_ml": 2e5}
            assert (await post(url, "/api/lots", too_dirty))[0] == 201
            start = {"user": "anne", "password": PW, "pasteuriser": "P1", "program": "holder63"}
            status, refused = await post(url, "/api/cycles", {**start, "lots": ["L2026-002"]})
            assert status == 409
            assert "destroyed" in refused["error"] or "1e+05" in refused["error"], refused
            status, cycle = await post(url, "/api/cycles", {**start, "lots": ["L2026-001"]})
            assert status == 201, cycle

            pipeline = daemon.pipeline
            assert pipeline is not None
            alarms = pipeline.alarms.alarms
            await until(lambda: bool(pipeline.closed), 90, "the first cycle to close")
            verdict = pipeline.closed[0].machine.verdict
            assert verdict is not None
            assert verdict.outcome.value == "pass", verdict.reasons
            await until(lambda: "band:F1" in alarms and "stale:Z1-air" in alarms, 60,
                        "the fridge and stale alarms")  # fmt: skip

            inspector = {"user": "ines", "password": PW, "comment": "seen"}
            status, denied = await post(url, "/api/alarms/band:F1/ack", inspector)
            assert status == 403, denied
            for key in ("band:F1", "stale:Z1-air"):
                body = {"user": "anne", "password": PW, "comment": f"checked {key}"}
                status, answer = await post(url, f"/api/alarms/{key}/ack", body)
                assert status == 200, answer
                assert answer["acknowledged_by"] == "Anne Martin"
                assert alarms[key].state in (AlarmState.ACKED, AlarmState.NORMAL)
        finally:
            daemon.stop("test over")
            await asyncio.wait_for(task, 10)

    report = verify_journal(settings.journal.path, public_key)
    assert report.ok, report.format()
    with JournalReader(settings.journal.path) as reader:
        names = reader.stream_names()
        cycle_records = reader.stream_records(cycle["cycle"])
        day = next(n for n in names if n.startswith("enclosure:F1:"))
        fridge = reader.stream_records(day)
        acks = [r for r in reader.stream_records("alarms") if r.kind == "alarm_acknowledged"]
    assert cycle_records[-1].kind == "seal"
    assert any(r.kind == "cycle_passed" for r in cycle_records)
    started = next(r for r in fridge if r.kind == "excursion_started")
    alarmed = next(r for r in fridge if r.kind == "excursion_alarmed")
    assert alarmed.ts - started.ts >= 10 * 60 * NS_PER_S  # the delay, not at once
    assert {r.fields["alarm"] for r in acks} == {"band:F1", "stale:Z1-air"}
    assert all(r.fields["printed_name"] == "Anne Martin" for r in acks)
