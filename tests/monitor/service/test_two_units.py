"""Two units of one site on one Mosquitto and one InfluxDB database: neither disturbs the other.

Units ``unit-a`` and ``unit-b`` of site ``demo`` run as processes of their own, each with its
journal, key, web port and simulated lab (its own Modbus TCP port, its own MQTT topics), on
one accelerated timeline. Each lab has a fault of its own: unit A's quarantine fridge door
is left ajar, unit B's pasteurised-milk fridge loses power. After a simulated hour:

- no takeover: Mosquitto never closed a client for another of the same id, and each client
  id of each daemon connected exactly once; no probe of either unit went stale;
- every alarm state and chain head published under ``lactamon/#`` (live and retained) sits
  under its unit's own prefix and names that unit, each unit's retained alarm states are the
  final states of its own journal, and each retained head is signed by its unit's key;
- InfluxDB holds each unit's rows once under its ``device`` tag, and the records read back
  with that unit's scope (as ``lactamon verify --influx`` reads them) verify with its key and
  with its key alone; each journal verifies with its own key.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
from pathlib import Path
from typing import Any

import aiomqtt

from config.loading import validate_mapping
from monitor.cli.journal_cmd import verify_influx
from monitor.clock import ScaledClock
from monitor.journal import (
    JournalReader,
    Record,
    key_id_of,
    keygen,
    parse_public_key,
    verify_journal,
)
from monitor.journal.head_messages import head_from_message
from monitor.journal.signing import check_signed_record
from monitor.journal.trust import Trust
from simulator.lab import Lab
from simulator.scenario import load_scenario
from simulator.scenario.spec import FaultKind, FaultSpec
from simulator.session import Simulation
from tests.fixtures.influxdb import InfluxServer
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.monitor.service import kill_runs as runs
from tests.monitor.service.daemon_process import Daemons
from tests.monitor.service.lab_settings import lab_settings_mapping

SCENARIO = Path(__file__).parent / "scenarios" / "cold-chain-night.toml"
SPEED = 300.0
SITE = "demo"
END_S = 60 * 60.0
MIN = 60.0
# Unit A: the quarantine fridge's door ajar from minute 10 (alarmed after its 10-min delay).
# Unit B: the pasteurised-milk fridge without power from minute 5 (alarmed some 20 min later).
FAULTS = {
    "unit-a": FaultSpec(10 * MIN, 45 * MIN, FaultKind.DOOR_OPEN, "F1", opening=0.1),
    "unit-b": FaultSpec(5 * MIN, 75 * MIN, FaultKind.POWER_CUT, "F2"),
}
EXPECTED_ALARMS = {"unit-a": {"band:F1"}, "unit-b": {"band:F2"}}


@dataclasses.dataclass
class Unit:
    device: str
    daemons: Daemons
    public_key: str
    lab: Lab

    @property
    def prefix(self) -> str:
        assert self.daemons.settings.mqtt is not None
        return self.daemons.settings.mqtt.prefix

    @property
    def journal(self) -> Path:
        return self.daemons.settings.journal.path


def make_unit(
    folder: Path,
    device: str,
    broker: MosquittoBroker,
    influx: dict[str, object],
    clock: ScaledClock,
) -> Unit:
    """The example lab as unit ``device``: its own folder, ports and probe topics."""
    folder.mkdir(parents=True)
    site = {"id": SITE, "name": "Lactarium", "timezone": "Europe/Paris", "device": device}
    web = {"host": "127.0.0.1", "port": free_port()}
    data: dict[str, Any] = lab_settings_mapping(
        folder, broker.port, site=site, web=web, influxdb=influx
    )
    for probe in data["probes"]:
        if probe["source"]["kind"] == "mqtt":  # each unit's sensors publish on topics of its own
            probe["source"]["topic"] = f"{device}/{probe['source']['topic']}"
    config = folder / "settings.json"
    config.write_text(json.dumps(data, default=str))
    settings = validate_mapping(json.loads(config.read_text()), str(config))
    public_key, _ = keygen(settings.signing.key_file)
    scenario = dataclasses.replace(load_scenario(SCENARIO), faults=(FAULTS[device],))
    return Unit(device, Daemons(config, settings, clock, folder), public_key,
                Lab.from_scenario(scenario))  # fmt: skip


async def listen(port: int, seen: list[tuple[str, bytes, bool]], ready: asyncio.Event) -> None:
    """Every message under ``lactamon/#`` while the units run."""
    async with aiomqtt.Client("127.0.0.1", port, identifier="two-units-listener") as client:
        await client.subscribe("lactamon/#", qos=1)
        ready.set()
        async for message in client.messages:
            seen.append((str(message.topic), bytes(message.payload), message.retain))


async def retained(port: int) -> list[tuple[str, bytes, bool]]:
    """What a subscriber arriving after the run finds retained under ``lactamon/#``."""
    found: list[tuple[str, bytes, bool]] = []
    async with aiomqtt.Client("127.0.0.1", port, identifier="two-units-late") as client:
        await client.subscribe("lactamon/#", qos=1)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                async for message in client.messages:
                    found.append((str(message.topic), bytes(message.payload), message.retain))
    return found


async def test_two_units_share_one_broker_and_one_database(
    tmp_path: Path, mosquitto: MosquittoBroker, influxdb: InfluxServer, influxdb_database: str
) -> None:
    influx = {"enabled": True, "url": influxdb.url, "database": influxdb_database,
              "flush_interval_s": 0.5, "backoff": {"initial_s": 0.05, "max_s": 0.5}}  # fmt: skip
    clock = ScaledClock(SPEED)
    units = [make_unit(tmp_path / d, d, mosquitto, influx, clock) for d in ("unit-a", "unit-b")]
    seen: list[tuple[str, bytes, bool]] = []
    ready = asyncio.Event()
    listener = asyncio.create_task(listen(mosquitto.port, seen, ready))
    try:
        await asyncio.wait_for(ready.wait(), 5)
        async with contextlib.AsyncExitStack() as stack:
            simulations = [
                await stack.enter_async_context(Simulation(u.daemons.settings, u.lab, clock))
                for u in units
            ]
            processes = [u.daemons.start() for u in units]
            for unit, process in zip(units, processes, strict=True):
                await runs.serving(unit.daemons, process, 30)
            await runs.until_sim(clock, END_S)
            before_stop = mosquitto.log_text()
            for unit, process in zip(units, processes, strict=True):
                await runs.stop(unit.daemons, process)
            assert [s.failed() for s in simulations] == [None, None]
        await asyncio.sleep(0.5)  # the last retained states and heads reach the listener
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        for unit in units:
            unit.daemons.stop_all()

    check_no_takeover(before_stop, mosquitto.log_text(), units)
    late = await retained(mosquitto.port)
    check_topics(units, seen, late)
    for unit in units:
        await check_records(unit, next(u for u in units if u is not unit), influxdb)


def check_no_takeover(log: str, whole_log: str, units: list[Unit]) -> None:
    """Until the stops (a stopping publisher connects once more to send its last
    messages), each client connected once and stayed; no client ever took another's place;
    no probe of either unit went stale, and each unit raised its own lab's alarm only."""
    assert "already connected, closing old connection" not in whole_log, whole_log
    for unit in units:
        for role in ("probes", "publisher", "sim"):
            client_id = f"lactamon-{SITE}-{unit.device}-{role}"
            assert log.count(f" as {client_id} ") == 1, (client_id, log)
            assert f"Client {client_id} " not in log, (client_id, log)
        alarms = runs.final_alarms(unit.journal)
        assert not [k for k in alarms if k.startswith("stale:")], (unit.device, alarms)
        assert set(alarms) == EXPECTED_ALARMS[unit.device], (unit.device, alarms)


def check_topics(
    units: list[Unit], seen: list[tuple[str, bytes, bool]], late: list[tuple[str, bytes, bool]]
) -> None:
    """Each alarm state and head under its own unit's prefix, naming that unit."""
    by_prefix = {unit.prefix: unit for unit in units}
    assert sorted(by_prefix) == [f"lactamon/{SITE}/unit-a", f"lactamon/{SITE}/unit-b"]
    states: dict[str, dict[str, str]] = {u.device: {} for u in units}
    heads: dict[str, int] = {u.device: 0 for u in units}
    for topic, payload, retain in seen + late:
        owner = next((u for p, u in by_prefix.items() if topic.startswith(p + "/")), None)
        assert owner is not None, f"{topic} is under neither unit's prefix"
        level = topic.removeprefix(owner.prefix + "/")
        if not level.startswith(("alarms/state/", "heads/")):
            continue
        body = json.loads(payload)
        assert (body["site"], body["device"]) == (SITE, owner.device), (topic, body)
        if level.startswith("alarms/state/"):
            assert body["key"] == level.removeprefix("alarms/state/"), (topic, body)
            if retain:
                states[owner.device][body["key"]] = body["state"]
        else:
            head = head_from_message(payload)
            assert isinstance(head, Record), (topic, head)
            own = parse_public_key(owner.public_key)
            assert check_signed_record(head, {key_id_of(own): own}, None) == [], topic
            other = next(u for u in units if u is not owner)
            theirs = parse_public_key(other.public_key)
            assert check_signed_record(head, {key_id_of(theirs): theirs}, None) != [], topic
            heads[owner.device] += 1
    assert all(heads.values()), heads
    for unit in units:
        final = {key: state for key, (state, _) in runs.final_alarms(unit.journal).items()}
        assert states[unit.device] == final, (unit.device, states[unit.device], final)


async def check_records(unit: Unit, other: Unit, influxdb: InfluxServer) -> None:
    """The unit's rows in InfluxDB once, under its tag; read back in its scope, they verify
    with its key, and not with the other unit's."""
    settings = unit.daemons.settings
    report = verify_journal(unit.journal, unit.public_key)
    assert report.ok, report.format()
    with JournalReader(unit.journal) as reader:
        rows = reader.last_row_id()
    database = settings.influxdb.database
    tagged = f'SELECT count("seq") FROM /lactamon_.*/ WHERE "device" = \'{unit.device}\''
    assert influxdb.count(database, tagged) == rows, (unit.device, rows)
    args = argparse.Namespace(lot=None, stream=None, since="2000-01-01T00:00Z", until=None)
    own = await verify_influx(settings, args, Trust((parse_public_key(unit.public_key),)))
    assert own.ok, own.format()
    assert own.signer_established
    assert sum(s.records for s in own.streams) == rows, own.format()
    theirs = await verify_influx(settings, args, Trust((parse_public_key(other.public_key),)))
    assert not theirs.ok
