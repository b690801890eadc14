from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from monitor.influx.errors import FailureKind, InfluxWriteError
from monitor.influx.reader_v1 import InfluxV1Reader
from monitor.influx.tags import Tagger
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.journal.record import Record
from tests.fixtures.influxdb import ADMIN_PASSWORD, ADMIN_USER, InfluxServer
from tests.fixtures.ports import free_port
from tests.monitor.influx.http_stub import http_stub, silent_server
from tests.monitor.influx.records import T0, chained, cycle_records

CYCLE = "cycle:P1:2026-11-21T08:00:00Z"
ROLES = {"T-ref": "reference", "T-bath": "bath"}


def tagger() -> Tagger:
    return Tagger("lab", "pi-1", ROLES)


@pytest.fixture
async def writer(influxdb: InfluxServer, influxdb_database: str) -> AsyncIterator[InfluxV1Writer]:
    writer = InfluxV1Writer(influxdb.url, influxdb_database, tagger(), batch_size=4)
    yield writer
    await writer.close()


@pytest.fixture
async def reader(influxdb: InfluxServer, influxdb_database: str) -> AsyncIterator[InfluxV1Reader]:
    reader = InfluxV1Reader(influxdb.url, influxdb_database, chunk_size=3)
    yield reader
    await reader.close()


def count(influxdb: InfluxServer, database: str) -> int:
    return sum(
        influxdb.count(database, f'SELECT count("seq") FROM "{m}"')
        for m in ("lactamon_reading", "lactamon_event", "lactamon_head")
    )


async def test_write_then_read_by_stream(
    writer: InfluxV1Writer, reader: InfluxV1Reader, influxdb: InfluxServer, influxdb_database: str
) -> None:
    records = cycle_records()
    await writer.write(records)
    assert await reader.stream_records(CYCLE) == records
    assert count(influxdb, influxdb_database) == len(records)


async def test_write_then_read_by_lot(writer: InfluxV1Writer, reader: InfluxV1Reader) -> None:
    first = cycle_records(CYCLE, lots="L2026-001,L2026-002")
    other_lot = cycle_records("cycle:P2:2026-11-21T09:00:00Z", lots="L2026-0011", t0=T0 + 10**12)
    # A cycle linked to the lot afterwards: its readings were written without the lot's tag.
    late = cycle_records("cycle:P1:2026-11-22T08:00:00Z", lots="", t0=T0 + 10**14)
    dossier = [
        chained("lot:L2026-002", 1, T0 - 1, "lot_created", {"lot": "L2026-002"}),
        chained("lot:L2026-002", 2, T0 + 2 * 10**14, "cycle_linked", {"cycle": late[0].stream}),
    ]
    await writer.write(first + other_lot + late + dossier)
    by_lot = await reader.lot_records("L2026-002")
    assert by_lot == sorted(first + late + dossier, key=lambda r: (r.stream, r.seq))
    assert await reader.lot_records("L2026-001") == first
    assert await reader.lot_records("L2026-0011") == other_lot
    assert await reader.lot_records("L2026") == []


async def test_the_same_batch_twice_stores_each_point_once(
    writer: InfluxV1Writer, reader: InfluxV1Reader, influxdb: InfluxServer, influxdb_database: str
) -> None:
    records = cycle_records(readings=20)
    await writer.write(records)
    await writer.write(records)
    # A replay split differently, after a restart: a new writer, so nothing is cached.
    replay = InfluxV1Writer(influxdb.url, influxdb_database, tagger(), batch_size=7)
    try:
        await replay.write(records[:1])
        await replay.write(records[1:])
    finally:
        await replay.close()
    assert count(influxdb, influxdb_database) == len(records)
    assert await reader.stream_records(CYCLE) == records


async def test_same_ns_events_of_a_stream_are_all_kept(
    writer: InfluxV1Writer, reader: InfluxV1Reader
) -> None:
    stream = "enclosure:F1:2026-11-21"
    alarms = [
        chained(stream, seq, T0, "alarm_raised", {"probe": "T1", "n": seq}) for seq in (1, 2, 3)
    ]
    await writer.write(alarms)
    assert await reader.stream_records(stream) == alarms


async def test_ping_names_the_version(writer: InfluxV1Writer) -> None:
    assert (await writer.ping()).startswith("1.6")


async def test_missing_database_is_a_clear_error(influxdb: InfluxServer) -> None:
    writer = InfluxV1Writer(influxdb.url, "no_such_db", tagger())
    try:
        with pytest.raises(InfluxWriteError) as caught:
            await writer.write(cycle_records())
    finally:
        await writer.close()
    error = caught.value
    assert (error.kind, error.retryable, error.status) == (FailureKind.NOT_FOUND, False, 404)
    assert 'database not found: "no_such_db"' in str(error)
    assert "database 'no_such_db'" in str(error)


async def test_refused_data_reports_the_servers_words(
    writer: InfluxV1Writer, influxdb: InfluxServer, influxdb_database: str
) -> None:
    # Someone else wrote "value" as text into the measurement (in the same shard, the same
    # week): InfluxDB refuses our floats.
    influxdb.write(influxdb_database, f'lactamon_reading,stream=x value="warm" {T0}')
    with pytest.raises(InfluxWriteError) as caught:
        await writer.write(cycle_records()[:2])
    error = caught.value
    assert (error.kind, error.retryable, error.status) == (FailureKind.REJECTED, False, 400)
    assert "field type conflict" in error.server_message
    assert "field type conflict" in str(error)


async def test_a_stopped_server_is_a_retryable_error(restartable_influxdb: InfluxServer) -> None:
    server = restartable_influxdb
    database = server.create_database()
    writer = InfluxV1Writer(server.url, database, tagger())
    records = cycle_records()
    try:
        await writer.write(records[:3])
        server.stop()
        with pytest.raises(InfluxWriteError) as caught:
            await writer.write(records[3:])
        assert (caught.value.kind, caught.value.retryable) == (FailureKind.CONNECTION, True)
        assert server.url in str(caught.value)
        with pytest.raises(InfluxWriteError, match="cannot connect"):
            await writer.ping()
        server.start()
        await writer.write(records[3:])
    finally:
        await writer.close()
    assert count(server, database) == len(records)


async def test_nothing_listening_is_a_retryable_error() -> None:
    writer = InfluxV1Writer(f"http://127.0.0.1:{free_port()}", "db", tagger())
    try:
        with pytest.raises(InfluxWriteError, match="cannot connect") as caught:
            await writer.write(cycle_records())
    finally:
        await writer.close()
    assert caught.value.retryable
    assert caught.value.kind is FailureKind.CONNECTION


async def test_no_answer_is_a_retryable_timeout() -> None:
    async with silent_server() as url:
        writer = InfluxV1Writer(url, "db", tagger(), timeout_s=0.3)
        try:
            with pytest.raises(InfluxWriteError, match="no answer in time") as caught:
                await writer.write(cycle_records())
        finally:
            await writer.close()
    assert (caught.value.kind, caught.value.retryable) == (FailureKind.TIMEOUT, True)


@pytest.mark.parametrize(
    ("status", "body", "kind", "retryable", "words"),
    [
        (200, "<html>login</html>", FailureKind.RESPONSE, False, "instead of 204"),
        (500, '{"error":"timeout"}', FailureKind.SERVER, True, "(HTTP 500): timeout"),
        (503, "busy", FailureKind.SERVER, True, "(HTTP 503): busy"),
        (429, "", FailureKind.SERVER, True, "overloaded (HTTP 429)"),
        (413, "too big", FailureKind.TOO_LARGE, False, "a single point of"),
        (302, "", FailureKind.RESPONSE, False, "is this an InfluxDB server"),
    ],
)
async def test_unexpected_answers(
    status: int, body: str, kind: FailureKind, retryable: bool, words: str
) -> None:
    async def answer(request: web.Request) -> web.Response:
        if request.path != "/write":
            return web.Response(status=204)  # where a followed redirect would land
        return web.Response(status=status, text=body, headers={"Location": "/login"})

    async with http_stub(answer) as url:
        writer = InfluxV1Writer(url, "db", tagger())
        try:
            with pytest.raises(InfluxWriteError) as caught:
                await writer.write(cycle_records()[:1])
        finally:
            await writer.close()
    assert (caught.value.kind, caught.value.retryable) == (kind, retryable)
    assert words in str(caught.value)


async def test_ping_of_something_else_than_influxdb() -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=204)

    async with http_stub(answer) as url:
        writer = InfluxV1Writer(url, "db", tagger())
        try:
            with pytest.raises(InfluxWriteError, match="not an InfluxDB server"):
                await writer.ping()
        finally:
            await writer.close()


class TestAuthentication:
    @pytest.fixture
    def database(self, influxdb_with_auth: InfluxServer) -> str:
        server = influxdb_with_auth
        name = server.create_database()
        server.query(f"CREATE USER reader_{name} WITH PASSWORD 'reader-pw'")
        server.query(f'GRANT READ ON "{name}" TO reader_{name}')
        return name

    async def write(
        self, server: InfluxServer, database: str, user: str | None, password: str | None
    ) -> list[Record]:
        records = cycle_records()
        writer = InfluxV1Writer(server.url, database, tagger(), username=user, password=password)
        try:
            await writer.write(records)
        finally:
            await writer.close()
        return records

    async def test_right_credentials(self, influxdb_with_auth: InfluxServer, database: str) -> None:
        records = await self.write(influxdb_with_auth, database, ADMIN_USER, ADMIN_PASSWORD)
        reader = InfluxV1Reader(
            influxdb_with_auth.url, database, username=ADMIN_USER, password=ADMIN_PASSWORD
        )
        try:
            assert await reader.stream_records(CYCLE) == records
        finally:
            await reader.close()

    @pytest.mark.parametrize(
        ("user", "password", "status", "words"),
        [
            (ADMIN_USER, "wrong", 401, f"authentication failed (HTTP 401) for user '{ADMIN_USER}'"),
            (None, None, 401, "authentication failed (HTTP 401) for no user (anonymous)"),
            ("reader", "reader-pw", 403, "permission denied (HTTP 403) for user 'reader_"),
        ],
    )
    async def test_refused_credentials(
        self,
        influxdb_with_auth: InfluxServer,
        database: str,
        user: str | None,
        password: str | None,
        status: int,
        words: str,
    ) -> None:
        if user == "reader":
            user = f"reader_{database}"
        with pytest.raises(InfluxWriteError) as caught:
            await self.write(influxdb_with_auth, database, user, password)
        error = caught.value
        assert (error.kind, error.retryable, error.status) == (FailureKind.AUTH, False, status)
        assert words in str(error)
        assert "wrong" not in str(error)
        assert "reader-pw" not in str(error)
