"""The daemon end to end: simulator over Modbus TCP, a real Mosquitto and InfluxDB 1.6.

One accelerated day: lots are registered and a holder63 cycle started by a technician over
the API; the cycle passes; the quarantine fridge's door is left ajar past the 10-minute
delay; the freezer's probe goes silent; a second cycle's heater fails mid-hold and the cycle
fails. Every alarm is raised; an inspector's acknowledgement is refused and a technician
acknowledges them all. The journal verifies, InfluxDB holds every row once and the lot
verifies from InfluxDB too, and the sealed cycle's signed head is on its retained topic.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import aiomqtt
from argon2 import PasswordHasher

from config import Settings
from monitor.clock import NS_PER_S, ScaledClock
from monitor.influx.factory import create_reader
from monitor.journal import (
    JournalReader,
    Record,
    key_id_of,
    keygen,
    parse_public_key,
    verify_journal,
    verify_records,
)
from monitor.journal.head_messages import head_from_message, head_topic
from monitor.journal.signing import check_signed_record
from monitor.service.daemon import Daemon
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation
from tests.fixtures.influxdb import InfluxServer
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


async def test_a_day_end_to_end(
    tmp_path: Path, mosquitto: MosquittoBroker, influxdb: InfluxServer, influxdb_database: str
) -> None:
    influx = {"enabled": True, "url": influxdb.url, "database": influxdb_database,
              "flush_interval_s": 0.5, "backoff": {"initial_s": 0.05, "max_s": 0.5}}  # fmt: skip
    settings = lab_settings(tmp_path, mosquitto.port, influxdb=influx)
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
            second = {**lot, "lot": "L2026-003", "sub_lots": ["D3"]}
            assert (await post(url, "/api/lots", second))[0] == 201
            start = {"user": "anne", "password": PW, "pasteuriser": "P1", "program": "holder63"}
            status, refused = await post(url, "/api/cycles", {**start, "lots": ["L2026-002"]})
            assert status == 409
            assert "destroyed" in refused["error"] or "1e+05" in refused["error"], refused
            status, cycle = await post(url, "/api/cycles", {**start, "lots": ["L2026-001"]})
            assert status == 201, cycle

            pipeline = daemon.pipeline
            assert pipeline is not None
            alarms = pipeline.desk.manager.alarms
            await until(lambda: bool(pipeline.closed), 90, "the first cycle to close")
            verdict = pipeline.closed[0].machine.verdict
            assert verdict is not None
            assert verdict.outcome.value == "pass", verdict.reasons
            await until(lambda: "band:F1" in alarms and "stale:Z1-air" in alarms, 60,
                        "the fridge and stale alarms")  # fmt: skip

            inspector = {"user": "ines", "password": PW, "comment": "seen"}
            status, denied = await post(url, "/api/alarms/band:F1/ack", inspector)
            assert status == 403, denied

            # The second cycle: its heater fails 12 minutes into the hold.
            await until(lambda: lab.sim_time_s >= 95 * 60, 60, "the second cycle's time")
            status, failing = await post(url, "/api/cycles", {**start, "lots": ["L2026-003"]})
            assert status == 201, failing
            await until(lambda: len(pipeline.closed) == 2, 120, "the second cycle to close")
            verdict = pipeline.closed[1].machine.verdict
            assert verdict is not None
            assert verdict.outcome.value == "fail", verdict

            raised = {k for k, a in alarms.items() if a.needs_ack}
            assert {"band:F1", "stale:Z1-air"} <= raised, raised
            assert any(alarms[k].source in ("P1", failing["cycle"]) for k in raised), raised
            for key in sorted(raised):
                body = {"user": "anne", "password": PW, "comment": f"checked {key}"}
                status, answer = await post(url, f"/api/alarms/{key}/ack", body)
                assert status == 200, answer
                assert answer["acknowledged_by"] == "Anne Martin"
            assert not [a.key for a in alarms.values() if a.needs_ack]
            publisher = daemon.publisher
            assert publisher is not None
            await until(lambda: publisher.pending == 0, 10, "the MQTT messages to go out")
        finally:
            daemon.stop("test over")
            await asyncio.wait_for(task, 10)

    report = verify_journal(settings.journal.path, public_key)
    assert report.ok, report.format()
    with JournalReader(settings.journal.path) as reader:
        rows = reader.last_row_id()
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
    assert {r.fields["alarm"] for r in acks} == raised
    assert all(r.fields["printed_name"] == "Anne Martin" for r in acks)
    await check_influxdb(settings, influxdb, public_key, rows)
    await check_published_head(mosquitto, settings, cycle["cycle"], public_key)
    for key in raised:  # the retained states follow every change, acknowledgements too
        retained = json.loads(await retained_message(mosquitto, settings, f"alarms/state/{key}"))
        assert retained["state"] == alarms[key].state.value, (key, retained)


async def check_influxdb(
    settings: Settings, influxdb: InfluxServer, public_key: str, rows: int
) -> None:
    """Every row once (the stop drained the closing records), and the lot verifies."""
    database = settings.influxdb.database
    assert influxdb.count(database, 'SELECT count("seq") FROM /lactamon_.*/') == rows
    reader = create_reader(settings.influxdb, site=settings.site.id, device=settings.site.device)
    try:
        entries = await reader.lot_records("L2026-001")
    finally:
        await reader.close()
    streams = {e.stream for e in entries}
    assert {"lot:L2026-001"} < streams, streams  # the lot and its cycle
    report = verify_records(entries, parse_public_key(public_key), ordered=False)
    assert report.ok, report.format()


async def check_published_head(
    broker: MosquittoBroker, settings: Settings, stream: str, public_key: str
) -> None:
    """The cycle's seal on its retained topic, checkable alone with the public key."""
    assert settings.mqtt is not None
    payload = await retained_message(broker, settings, head_topic(stream))
    head = head_from_message(payload)
    assert isinstance(head, Record), head
    assert (head.stream, head.kind) == (stream, "seal")
    key = parse_public_key(public_key)
    assert check_signed_record(head, {key_id_of(key): key}, None) == []


async def retained_message(broker: MosquittoBroker, settings: Settings, topic: str) -> bytes:
    assert settings.mqtt is not None
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.subscribe(f"{settings.mqtt.prefix}/{topic}")
        message = await asyncio.wait_for(anext(aiter(client.messages)), 5)
    assert message.retain
    return bytes(message.payload)
