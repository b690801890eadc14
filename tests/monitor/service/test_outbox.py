"""The InfluxDB outbox against a real InfluxDB 1.6: exactly once, through outages and refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

from config.service import InfluxSettings
from monitor.influx.factory import create_writer
from monitor.influx.tags import StreamLots, Tagger
from monitor.journal import DEVICE_STREAM, Journal, JournalReader, cycle_stream
from monitor.reading import Quality, Reading
from monitor.service.outbox import SINK, InfluxOutbox
from tests.fixtures.influxdb import InfluxServer
from tests.monitor.journal.samples import T0, StepClock, device_key

S = 1_000_000_000
CYCLE = cycle_stream("P1", T0)
COUNT_ALL = 'SELECT count("seq") FROM /lactamon_.*/'


def settings(server: InfluxServer, database: str, **changes: object) -> InfluxSettings:
    base: dict[str, object] = {
        "enabled": True,
        "url": server.url,
        "database": database,
        "batch_size": 50,
        "flush_interval_s": 0.05,
        "timeout_s": 2.0,
        "backoff": {"initial_s": 0.01, "max_s": 0.05},
    }
    return InfluxSettings.model_validate({**base, **changes})


class Conditions:
    """What the outbox asked the daemon to raise or clear, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[bool, str]] = []

    def __call__(self, now_ns: int, active: bool, message: str) -> None:
        self.seen.append((active, message))


def make_outbox(
    journal: Journal, s: InfluxSettings, conditions: Conditions | None = None
) -> InfluxOutbox:
    lots = StreamLots()
    writer = create_writer(s, Tagger("lab", "pi-1", {"P1-ref": "reference"}, lots))
    return InfluxOutbox(journal, writer, s, journal.clock, lots, conditions)


def add_readings(journal: Journal, stream: str, count: int, start_s: int = 0) -> None:
    for i in range(start_s, start_s + count):
        journal.append_reading(stream, Reading("P1-ref", T0 + i * S, 63.0 + i / 1000, Quality.OK))
    journal.flush()


def journal_rows(path: Path) -> int:
    with JournalReader(path) as reader:
        return reader.last_row_id()


async def test_every_row_once_and_a_restart_resumes_at_the_mark(
    tmp_path: Path, influxdb: InfluxServer, influxdb_database: str
) -> None:
    path = tmp_path / "journal.sqlite"
    s = settings(influxdb, influxdb_database)
    journal = Journal(path, device_key(), StepClock())
    journal.append_event(CYCLE, "cycle_started", {"lots": "L2026-001,L2026-002"})
    add_readings(journal, CYCLE, 120)
    outbox = make_outbox(journal, s)
    assert await outbox.deliver_available() == journal_rows(path)
    await outbox.writer.close()

    add_readings(journal, CYCLE, 80, start_s=120)
    again = make_outbox(journal, s)  # a restart: a new outbox over the same journal
    assert again.sent_up_to == outbox.sent_up_to > 0
    delivered = await again.deliver_available()
    rows = journal_rows(path)
    await again.writer.close()
    journal.close()

    assert delivered == rows - outbox.sent_up_to  # only what came after the mark
    assert influxdb.count(influxdb_database, COUNT_ALL) == rows
    # The lots of the cycle came from its cycle_started record, sent before the restart.
    tagged = 'SELECT count("value") FROM lactamon_reading WHERE "lots" = \'L2026-001,L2026-002\''
    assert influxdb.count(influxdb_database, tagged) == 200


async def test_an_outage_backs_off_raises_the_backlog_alarm_and_loses_nothing(
    tmp_path: Path, restartable_influxdb: InfluxServer
) -> None:
    server = restartable_influxdb
    database = server.create_database()
    path = tmp_path / "journal.sqlite"
    s = settings(server, database, backlog_alarm_rows=100, backlog_alarm_age_s=10_000)
    conditions = Conditions()
    journal = Journal(path, device_key(), StepClock())
    outbox = make_outbox(journal, s, conditions)
    task = asyncio.create_task(outbox.run(), name="outbox")
    try:
        add_readings(journal, CYCLE, 30)
        await until(lambda: outbox.sent_up_to == journal_rows(path), "the first rows")
        server.stop()
        add_readings(journal, CYCLE, 150, start_s=30)
        await until(lambda: outbox.failures >= 3 and outbox.alarmed, "failures and the alarm")
        assert outbox.backlog()["pending"] >= 150
        assert "connect" in str(outbox.last_error).lower()
        server.start()
        await until(lambda: not outbox.alarmed, "the backlog to clear")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    journal.finish()
    await outbox.drain(5.0)  # the closing records too
    journal.close()

    assert [active for active, _ in conditions.seen] == [True, False]
    assert "150" in conditions.seen[0][1] or "rows wait" in conditions.seen[0][1]
    assert server.count(database, COUNT_ALL) == journal_rows(path)
    with JournalReader(path) as reader:
        kinds = [r.kind for r in reader.stream_records(DEVICE_STREAM)]
        assert reader.sent_up_to(SINK) == reader.last_row_id()
    assert {"outbox_backlog", "outbox_caught_up"} <= set(kinds)


async def test_wrong_credentials_keep_every_row_and_say_why(
    tmp_path: Path, influxdb_with_auth: InfluxServer
) -> None:
    database = influxdb_with_auth.create_database()
    s = settings(influxdb_with_auth, database, username="nobody", password="wrong")
    conditions = Conditions()
    journal = Journal(tmp_path / "journal.sqlite", device_key(), StepClock())
    add_readings(journal, CYCLE, 20)
    outbox = make_outbox(journal, s, conditions)
    task = asyncio.create_task(outbox.run(), name="outbox")
    try:
        await until(lambda: outbox.alarmed, "the alarm")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await outbox.writer.close()
    journal.close()
    assert outbox.sent_up_to == 0
    assert outbox.backlog()["pending"] > 20
    assert conditions.seen == [(True, f"InfluxDB refuses the writes: {outbox.refused}")]
    assert "nobody" in str(outbox.refused)


async def test_a_point_influxdb_refuses_is_left_in_the_journal_and_the_rest_goes(
    tmp_path: Path, influxdb: InfluxServer, influxdb_database: str
) -> None:
    # Another program wrote an integer "payload" into the shard: every event point (whose
    # payload is text) is now refused by InfluxDB, while readings still go.
    influxdb.write(influxdb_database, f"lactamon_event,stream=x payload=1i {T0}")
    path = tmp_path / "journal.sqlite"
    journal = Journal(path, device_key(), StepClock())
    add_readings(journal, CYCLE, 40)
    journal.append_event(CYCLE, "note", {"text": "a remark"})
    add_readings(journal, CYCLE, 40, start_s=40)
    outbox = make_outbox(journal, settings(influxdb, influxdb_database))
    await outbox.deliver_available()
    assert outbox.skipped >= 1
    await outbox.deliver_available()  # the outbox_skipped events are refused too, once each
    await outbox.writer.close()
    journal.close()
    readings = influxdb.count(influxdb_database, 'SELECT count("value") FROM lactamon_reading')
    assert readings == 80
    with JournalReader(path) as reader:
        skipped = [r for r in reader.stream_records(DEVICE_STREAM) if r.kind == "outbox_skipped"]
    assert {(r.fields["record_stream"], r.fields["record_seq"]) for r in skipped} >= {(CYCLE, 41)}
    assert all("conflict" in str(r.fields["reason"]) for r in skipped), skipped


async def until(check: object, what: str, timeout_s: float = 30.0) -> None:
    assert callable(check)
    for _ in range(int(timeout_s / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_the_first_reading_after_a_start_goes_out_without_waiting_a_flush_interval(
    tmp_path: Path, influxdb: InfluxServer, influxdb_database: str
) -> None:
    journal = Journal(tmp_path / "journal.sqlite", device_key(), StepClock())
    outbox = make_outbox(journal, settings(influxdb, influxdb_database, flush_interval_s=60.0))
    task = asyncio.create_task(outbox.run())
    try:
        for _ in range(100):  # the opening records first: no reading among them
            if outbox.delivered:
                break
            await asyncio.sleep(0.05)
        assert outbox.delivered
        assert not outbox.reading_out
        add_readings(journal, CYCLE, 1)
        for _ in range(100):  # within 5 s, where the flush interval is a minute
            if outbox.reading_out:
                break
            await asyncio.sleep(0.05)
        assert outbox.reading_out
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await outbox.writer.close()
        journal.close()
