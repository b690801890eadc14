"""InfluxDB away for a simulated hour under the running daemon: every journal row arrives once.

The simulator serves the lab over Modbus TCP and a real Mosquitto at 300x; the daemon
delivers to a real InfluxDB 1.6, which is stopped for an hour of simulated time and started
again. The backlog raises the outbox alarm and clears it; at the end the rows counted in
InfluxDB by query are exactly the rows of the journal.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from monitor.clock import ScaledClock
from monitor.journal import JournalReader, keygen
from monitor.service.daemon import Daemon
from monitor.service.outbox import ALARM_KEY, SINK
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation
from tests.fixtures.influxdb import InfluxServer
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.service.lab_settings import lab_settings
from tests.monitor.service.test_daemon_e2e import until

SPEED = 300.0
HOUR_S = 3600.0


async def test_an_hour_without_influxdb_loses_and_duplicates_nothing(
    tmp_path: Path, mosquitto: MosquittoBroker, restartable_influxdb: InfluxServer
) -> None:
    influx = restartable_influxdb
    database = influx.create_database()
    settings = lab_settings(
        tmp_path,
        mosquitto.port,
        influxdb={
            "enabled": True,
            "url": influx.url,
            "database": database,
            "batch_size": 500,
            "flush_interval_s": 0.2,
            "timeout_s": 2.0,
            "backlog_alarm_age_s": 1800.0,
            "backoff": {"initial_s": 0.05, "max_s": 0.5},
        },
    )
    keygen(settings.signing.key_file)
    clock = ScaledClock(SPEED)
    lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
    daemon = Daemon(settings, clock)
    async with Simulation(settings, lab, clock):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            outbox = daemon.outbox
            assert outbox is not None
            await until(lambda: outbox.delivered > 20, 30, "the first deliveries")
            influx.stop()
            away_from = lab.sim_time_s
            await until(lambda: lab.sim_time_s - away_from >= HOUR_S, 60, "a simulated hour")
            assert outbox.failures > 0
            assert outbox.alarmed, outbox.backlog()
            pending = outbox.backlog()["pending"]
            influx.start()
            await until(lambda: not outbox.alarmed, 30, "the backlog to clear")
            assert outbox.delivered >= pending
        finally:
            daemon.stop("test over")
            await asyncio.wait_for(task, 15)

    with JournalReader(settings.journal.path) as reader:
        rows = reader.last_row_id()
        assert reader.sent_up_to(SINK) == rows  # the final drain took the closing records
        alarm_actions = [
            r.fields["action"]
            for r in reader.stream_records("alarms")
            if r.fields.get("alarm") == ALARM_KEY
        ]
    assert influx.count(database, 'SELECT count("seq") FROM /lactamon_.*/') == rows
    assert alarm_actions[0] == "raised", alarm_actions
    assert "cleared" in alarm_actions, alarm_actions
