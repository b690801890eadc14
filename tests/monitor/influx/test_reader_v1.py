import itertools
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.influx.errors import FailureKind, InfluxQueryError
from monitor.influx.influxql import lot_curve_query
from monitor.influx.reader_v1 import InfluxV1Reader
from monitor.influx.tags import Tagger
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.journal.canonical import chain_hash, record_canonical
from monitor.journal.record import Record, Unreadable
from tests.fixtures.influxdb import InfluxServer
from tests.monitor.influx.http_stub import http_stub
from tests.monitor.influx.records import T0, cycle_records, point_key, records

CYCLE = "cycle:P1:2026-11-21T08:00:00Z"
ROLES = {"T-ref": "reference", "T-bath": "bath"}
_examples = itertools.count()


@pytest.fixture
async def reader(influxdb: InfluxServer, influxdb_database: str) -> AsyncIterator[InfluxV1Reader]:
    reader = InfluxV1Reader(influxdb.url, influxdb_database, chunk_size=5)
    yield reader
    await reader.close()


async def write(
    influxdb: InfluxServer, database: str, batch: list[Record], site: str = "lab"
) -> None:
    writer = InfluxV1Writer(influxdb.url, database, Tagger(site, "pi-1", ROLES), batch_size=50)
    try:
        await writer.write(batch)
    finally:
        await writer.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(records(), min_size=1, max_size=12, unique_by=point_key))
async def test_records_come_back_exactly_from_influxdb(
    influxdb: InfluxServer, influxdb_database: str, batch: list[Record]
) -> None:
    # Every example goes to the same database: any field whose type varies between records
    # would be refused by InfluxDB ("field type conflict") and fail the test.
    site = f"example-{next(_examples)}"
    await write(influxdb, influxdb_database, batch, site)
    reader = InfluxV1Reader(influxdb.url, influxdb_database, chunk_size=4, site=site)
    try:
        back = await reader.records()
    finally:
        await reader.close()
    assert back == sorted(batch, key=lambda r: (r.stream, r.seq))
    originals = {(r.stream, r.seq): r for r in batch}
    for record in back:
        assert isinstance(record, Record)
        original = originals[record.stream, record.seq]
        assert record_canonical(record) == record_canonical(original)
        if record.prev_hash is not None:
            assert chain_hash(record.prev_hash, record_canonical(record)) == record.hash


async def test_many_chunks(
    influxdb: InfluxServer, influxdb_database: str, reader: InfluxV1Reader
) -> None:
    records = cycle_records(readings=60)
    await write(influxdb, influxdb_database, records)
    assert await reader.stream_records(CYCLE) == records


async def test_records_between(
    influxdb: InfluxServer, influxdb_database: str, reader: InfluxV1Reader
) -> None:
    records = cycle_records(readings=10)
    await write(influxdb, influxdb_database, records)
    start, end = records[3].ts, records[9].ts
    assert await reader.records_between(start, end) == [r for r in records if start <= r.ts < end]
    assert await reader.records_between(start, start + 1) == [r for r in records if r.ts == start]
    # An open end (``verify --influx --since`` alone) stays inside InfluxDB's time range.
    assert await reader.records_between(start, 2**63 - 1) == [r for r in records if start <= r.ts]


async def test_site_and_device_narrow_the_records(
    influxdb: InfluxServer, influxdb_database: str
) -> None:
    ours, theirs = cycle_records(), cycle_records(readings=2)
    await write(influxdb, influxdb_database, ours, site="lab")
    await write(influxdb, influxdb_database, theirs, site="other-lab")
    for site, expected in (("lab", ours), ("other-lab", theirs)):
        reader = InfluxV1Reader(influxdb.url, influxdb_database, site=site, device="pi-1")
        try:
            assert await reader.stream_records(CYCLE) == expected
        finally:
            await reader.close()


async def test_the_lot_curve_query(
    influxdb: InfluxServer, influxdb_database: str, reader: InfluxV1Reader
) -> None:
    records = cycle_records(lots="L2026-001,L2026-002", readings=4)
    await write(influxdb, influxdb_database, records)
    query = lot_curve_query("L2026-001", role="reference")
    assert query == (
        'SELECT "value" FROM "lactamon_reading" WHERE "lots" =~ /(^|,)L2026-001(,|$)/ '
        'AND "role" = \'reference\' GROUP BY "stream", "probe", "role"'
    )
    [series] = await reader.query(query)
    assert series.tags == {"stream": CYCLE, "probe": "T-ref", "role": "reference"}
    assert [row[1] for row in series.values] == [62.0, 62.125, 62.25, 62.375]
    assert not await reader.query(lot_curve_query("L2026-00"))


async def test_a_rewritten_point_replaces_the_one_before(
    influxdb: InfluxServer, influxdb_database: str, reader: InfluxV1Reader
) -> None:
    records = cycle_records()
    await write(influxdb, influxdb_database, records)
    honest = records[3]
    forged = Record(
        honest.stream,
        honest.seq,
        honest.ts,
        honest.kind,
        {**honest.fields, "value": 58.0},
        honest.hash,
        honest.prev_hash,
    )
    # Same tags (the lots come from the cycle's start), same time: the same point.
    await write(influxdb, influxdb_database, [records[0], forged])
    back = await reader.stream_records(CYCLE)
    assert back == [*records[:3], forged, *records[4:]]
    assert chain_hash(forged.prev_hash or b"", record_canonical(forged)) != forged.hash


async def test_unreadable_points_are_reported(
    influxdb: InfluxServer, influxdb_database: str, reader: InfluxV1Reader
) -> None:
    influxdb.write(
        influxdb_database,
        f'lactamon_event,stream={CYCLE},kind=x seq=3i,ts={T0}i,hash="{"ab" * 32}",'
        f'payload="not json" {T0}',
    )
    [entry] = await reader.stream_records(CYCLE)
    assert isinstance(entry, Unreadable)
    assert (entry.stream, entry.seq) == (CYCLE, 3)
    assert "payload is not valid JSON" in entry.reason


async def test_query_errors_carry_the_servers_words(
    influxdb: InfluxServer, reader: InfluxV1Reader
) -> None:
    with pytest.raises(InfluxQueryError, match="error parsing query") as caught:
        await reader.query("SELECT nonsense(")
    assert (caught.value.kind, caught.value.status) == (FailureKind.REJECTED, 400)
    missing = InfluxV1Reader(influxdb.url, "no_such_db")
    try:
        with pytest.raises(InfluxQueryError, match="database not found: no_such_db"):
            await missing.stream_records(CYCLE)
    finally:
        await missing.close()


def json_lines(*documents: object) -> str:
    return "\n".join(json.dumps(d) for d in documents) + "\n"


@pytest.mark.parametrize(
    ("status", "body", "kind", "words"),
    [
        (200, "<html>", FailureKind.RESPONSE, "malformed answer: not JSON"),
        (200, json_lines([1]), FailureKind.RESPONSE, "not a JSON object"),
        (200, json_lines({"x": 1}), FailureKind.RESPONSE, "no results list"),
        (
            200,
            json_lines(
                {"results": [{"series": [{"name": "m", "columns": ["time"], "values": [[1, 2]]}]}]}
            ),
            FailureKind.RESPONSE,
            "does not have the shape",
        ),
        (
            200,
            json_lines(
                {"results": [{"series": [{"name": "m", "columns": ["seq"], "values": [[1]]}]}]}
            ),
            FailureKind.RESPONSE,
            "no time column first",
        ),
        (200, json_lines({"results": []}, {"error": "boom"}), FailureKind.REJECTED, "boom"),
        (503, "overloaded", FailureKind.SERVER, "(HTTP 503): overloaded"),
    ],
)
async def test_malformed_answers(status: int, body: str, kind: FailureKind, words: str) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body)

    async with http_stub(answer) as url:
        reader = InfluxV1Reader(url, "db")
        try:
            with pytest.raises(InfluxQueryError) as caught:
                await reader.stream_records(CYCLE)
        finally:
            await reader.close()
    assert caught.value.kind is kind
    assert words in str(caught.value)


async def test_an_answer_split_anywhere_is_read_whole() -> None:
    rows = [[T0 + i, CYCLE, "ev", i + 1, T0, "ab" * 32, "{}"] for i in range(50)]
    document = {
        "results": [
            {
                "series": [
                    {
                        "name": "lactamon_event",
                        "columns": ["time", "stream", "kind", "seq", "ts", "hash", "payload"],
                        "values": rows,
                    }
                ]
            }
        ]
    }
    text = json_lines(document, document).encode()

    async def answer(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for start in range(0, len(text), 97):
            await response.write(text[start : start + 97])
        await response.write_eof()
        return response

    async with http_stub(answer) as url:
        reader = InfluxV1Reader(url, "db")
        try:
            entries = await reader.stream_records(CYCLE)
        finally:
            await reader.close()
    assert [e.seq for e in entries] == list(range(1, 51))
    assert all(isinstance(e, Record) and e.fields == {} for e in entries)


@pytest.mark.parametrize(
    ("stream", "lot"),
    [
        ("cycle:P'1:2026-11-21T08:00:00Z", "L.1+(x)/y"),
        ('lot"x,y=z/w', "L[2]|^$*?{}"),
        ("a'b\"c", "é 漢"),
    ],
)
async def test_queries_quote_what_they_are_given(
    influxdb: InfluxServer, influxdb_database: str, reader: InfluxV1Reader, stream: str, lot: str
) -> None:
    records = cycle_records(stream, lots=f"{lot},L9")
    decoy = cycle_records("cycle:P9:2026-11-21T08:00:00Z", lots="L1x(x)/y,L2|", t0=T0 + 10**12)
    await write(influxdb, influxdb_database, records + decoy)
    assert await reader.stream_records(stream) == records
    assert await reader.lot_records(lot) == records
