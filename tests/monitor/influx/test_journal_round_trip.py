"""The journal's own records, through InfluxDB 1.6 and back, verified like the journal."""

from pathlib import Path

from monitor.influx.reader_v1 import InfluxV1Reader
from monitor.influx.tags import Tagger
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.journal.keys import DeviceKey
from monitor.journal.reader import JournalReader
from monitor.journal.record import Record
from monitor.journal.streams import cycle_stream
from monitor.journal.verification import FindingKind
from monitor.journal.verify import verify_records
from monitor.journal.writer import Journal
from monitor.reading import Quality, Reading
from tests.fixtures.influxdb import InfluxServer
from tests.monitor.influx.records import T0


def journal_records(path: Path, key: DeviceKey) -> tuple[str, list[Record]]:
    stream = cycle_stream("P1", T0)
    with Journal(path, key) as journal:
        journal.append_event(
            stream, "cycle_started", {"lots": "L2026-001", "program": "holder63"}, ts=T0
        )
        for i in range(40):
            ts = T0 + (i + 1) * 10_000_000_000
            journal.append_reading(stream, Reading("T-ref", ts, 62.0 + i / 64, Quality.OK))
            journal.append_reading(stream, Reading("T-bath", ts, 63.5, Quality.OK, raw=6350.0))
            if i == 20:
                journal.checkpoint(stream)
        journal.append_event(stream, "hold_completed", {"held_s": 1800.0, "note": None}, ts=ts)
        journal.seal(stream, "cycle closed")
    with JournalReader(path) as reader:
        return stream, [record for _, record in reader.records_after(0, 100_000)]


async def test_journal_records_verify_from_influxdb(
    tmp_path: Path, influxdb: InfluxServer, influxdb_database: str
) -> None:
    key = DeviceKey.generate()
    stream, records = journal_records(tmp_path / "journal.sqlite", key)
    assert {"checkpoint", "seal", "reading", "cycle_started"} <= {r.kind for r in records}
    tagger = Tagger("lab", "pi-1", {"T-ref": "reference", "T-bath": "bath"})
    writer = InfluxV1Writer(influxdb.url, influxdb_database, tagger, batch_size=25)
    reader = InfluxV1Reader(influxdb.url, influxdb_database, chunk_size=10)
    try:
        await writer.write(records)
        everything = await reader.records()
        report = verify_records(everything, key.public, ordered=False, source="InfluxDB")
        assert report.ok, report.format()
        assert len(everything) == len(records)

        lot = await reader.lot_records("L2026-001")
        assert [r.stream for r in lot] == [stream] * sum(r.stream == stream for r in records)
        assert verify_records(lot, key.public, ordered=False).ok

        # Someone rewrites a reading in InfluxDB, keeping its hash: verification says where.
        victim = next(r for r in records if r.kind == "reading" and r.seq > 30)
        forged = Record(
            victim.stream,
            victim.seq,
            victim.ts,
            victim.kind,
            {**victim.fields, "value": 58.0},
            victim.hash,
        )
        await writer.write([forged])
        report = verify_records(await reader.stream_records(stream), key.public, ordered=False)
    finally:
        await writer.close()
        await reader.close()
    assert not report.ok
    assert [(f.kind, f.seq) for f in report.errors] == [(FindingKind.ALTERED, victim.seq)]
