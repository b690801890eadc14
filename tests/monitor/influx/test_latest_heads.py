"""The latest published head of each stream, read back from a real InfluxDB 1.6."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from monitor.influx.reader_v1 import InfluxV1Reader
from monitor.influx.tags import Tagger
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.journal import JournalReader, Record
from monitor.journal.signing import SIGNED_KINDS
from tests.fixtures.influxdb import InfluxServer
from tests.monitor.journal.lot_samples import build_lot_journal
from tests.monitor.journal.samples import device_key


async def test_the_latest_head_of_each_stream_of_one_unit(
    tmp_path: Path, influxdb: InfluxServer, influxdb_database: str
) -> None:
    build_lot_journal(tmp_path / "journal.sqlite", device_key())
    with JournalReader(tmp_path / "journal.sqlite") as journal:
        records = [record for _, record in journal.records_after(0, 100_000)]
    latest: dict[str, Record] = {}
    for record in records:
        if record.kind in SIGNED_KINDS:
            latest[record.stream] = record
    assert sum(r.kind in SIGNED_KINDS for r in records) > len(latest)  # several per stream
    # Another unit of the same site, later in time: its heads are not this unit's.
    theirs = [replace(r, seq=r.seq + 100, ts=r.ts + 10**12) for r in latest.values()]
    writers = [
        InfluxV1Writer(influxdb.url, influxdb_database, Tagger("lab", "pi-1", {})),
        InfluxV1Writer(influxdb.url, influxdb_database, Tagger("lab", "pi-2", {})),
    ]
    reader = InfluxV1Reader(influxdb.url, influxdb_database, site="lab", device="pi-1")
    try:
        await writers[0].write(records)
        await writers[1].write(theirs)
        heads = await reader.latest_heads()
    finally:
        for writer in writers:
            await writer.close()
        await reader.close()
    assert len(heads) == len(latest)  # one per stream
    assert {str(h.stream): h for h in heads} == latest
