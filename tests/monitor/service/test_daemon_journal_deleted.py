"""The journal deleted under the running daemon: alarmed, rescued, and nothing recorded lost.

The simulator serves the lab over Modbus TCP and a real Mosquitto at 300x. Once the daemon
has recorded a while, ``rm journal.sqlite*`` takes the file, its WAL and its shared memory
away, and another file is put at the path at once. Within 10 s a HIGH ``journal:integrity``
alarm names the rescued copy beside the path; the copy holds every record the deleted file
held and every record made after, verifies, and ends with a clean close; the file put at
the path is left exactly as it was.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from monitor.alarms import Priority
from monitor.clock import ScaledClock
from monitor.journal import JournalReader, keygen, verify_journal
from monitor.service.daemon import Daemon
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.service.lab_settings import lab_settings
from tests.monitor.service.test_daemon_e2e import until

SPEED = 300.0
ALARM = "journal:integrity"
SOMEONE_ELSES = b"a file someone else put here; no daemon may write to it\n"

Records = dict[tuple[str, int], bytes]


def records_of(reader: JournalReader) -> Records:
    with reader.snapshot():
        return {
            (r.stream, r.seq): r.hash
            for name in reader.stream_names()
            for r in reader.stream_records(name)
        }


async def test_a_deleted_journal_is_alarmed_and_rescued_whole(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    settings = lab_settings(tmp_path, mosquitto.port)
    public_key, _ = keygen(settings.signing.key_file)
    path = settings.journal.path
    clock = ScaledClock(SPEED)
    lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
    daemon = Daemon(settings, clock)
    async with Simulation(settings, lab, clock):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            pipeline = daemon.pipeline
            assert pipeline is not None
            await until(lambda: pipeline.readings_seen > 100, 20, "the first readings")
            # Opened before the deletion, this reader keeps the deleted file readable.
            with JournalReader(path) as old:
                for leftover in sorted(path.parent.glob(path.name + "*")):
                    leftover.unlink()
                deleted = time.monotonic()
                path.write_bytes(SOMEONE_ELSES)
                await until(lambda: pipeline.desk.is_active(ALARM), 10, "the integrity alarm")
                noticed_s = time.monotonic() - deleted
                held = records_of(old)  # everything the deleted file came to hold
            alarm = pipeline.desk.get(ALARM)
            seen = pipeline.readings_seen
            await until(lambda: pipeline.readings_seen > seen + 100, 20, "readings after it")
        finally:
            daemon.stop("test over")
            await asyncio.wait_for(task, 15)

    assert noticed_s < 10
    assert alarm.priority is Priority.HIGH
    check_rescued(path, public_key, alarm.message, held)


def check_rescued(path: Path, public_key: str, message: str, held: Records) -> None:
    """One copy beside the path, named by the alarm, holding everything; the path untouched."""
    rescued = [p for p in sorted(path.parent.glob(path.name + ".rescued-*"))
               if not p.name.endswith(("-wal", "-shm"))]  # fmt: skip
    assert len(rescued) == 1, rescued
    copy = rescued[0]
    assert str(copy) in message, message
    assert path.read_bytes() == SOMEONE_ELSES  # left alone: not opened, not written
    assert not Path(str(path) + "-wal").exists()

    report = verify_journal(copy, public_key)
    assert report.ok, report.format()
    with JournalReader(copy) as reader:
        kept = records_of(reader)
        device = reader.stream_records("device")
        raised = [r for r in reader.stream_records("alarms")
                  if r.fields.get("alarm") == ALARM and r.kind == "alarm_raised"]  # fmt: skip
    lost = {place for place, digest in held.items() if kept.get(place) != digest}
    assert not lost, sorted(lost)[:10]
    assert len(kept) > len(held) + 100  # the readings after the rescue are in the copy too
    assert len(raised) == 1, raised
    rescue_events = [r for r in device if r.kind == "journal_rescued"]
    assert len(rescue_events) == 1, rescue_events
    assert rescue_events[0].fields["to_path"] == str(copy)
    assert [r.kind for r in device if r.kind != "checkpoint"][-1] == "journal_closed"


async def test_a_deleted_write_ahead_log_is_alarmed_and_rescued_whole(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    settings = lab_settings(tmp_path, mosquitto.port)
    public_key, _ = keygen(settings.signing.key_file)
    path = settings.journal.path
    clock = ScaledClock(SPEED)
    lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
    daemon = Daemon(settings, clock)
    async with Simulation(settings, lab, clock):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            pipeline = daemon.pipeline
            assert pipeline is not None
            await until(lambda: pipeline.readings_seen > 100, 20, "the first readings")
            with JournalReader(path) as old:
                os.unlink(f"{path}-wal")  # the log only: the file stays at its path
                deleted = time.monotonic()
                await until(lambda: pipeline.desk.is_active(ALARM), 10, "the integrity alarm")
                noticed_s = time.monotonic() - deleted
                held = records_of(old)
            alarm = pipeline.desk.get(ALARM)
            seen = pipeline.readings_seen
            await until(lambda: pipeline.readings_seen > seen + 100, 20, "readings after it")
        finally:
            daemon.stop("test over")
            await asyncio.wait_for(task, 15)

    assert noticed_s < 10
    assert "write-ahead log" in alarm.message, alarm.message
    (copy,) = [p for p in sorted(path.parent.glob(path.name + ".rescued-*"))
               if not p.name.endswith(("-wal", "-shm"))]  # fmt: skip
    assert str(copy) in alarm.message
    report = verify_journal(copy, public_key)
    assert report.ok, report.format()
    with JournalReader(copy) as reader:
        kept = records_of(reader)
    lost = {place for place, digest in held.items() if kept.get(place) != digest}
    assert not lost, sorted(lost)[:10]
