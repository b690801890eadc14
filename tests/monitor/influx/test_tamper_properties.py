"""Any one tampering with the journal's points in InfluxDB 1.6 is found and located.

For each example the journal is delivered with the real v1 writer to a fresh database, one
tampering is done to the points with InfluxDB's own write and ``DELETE`` (what anyone who
can write to the database can do), and the records read back as ``lactamon verify --influx
--since … --until …`` reads them are verified. A model of the points, changed the same way,
says which entries the query must return, so a tampering that InfluxDB did not apply as
intended fails the test instead of passing for the wrong reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.influx.decode import point_record, unique_records
from monitor.influx.influxql import quote_identifier, tag_condition
from monitor.influx.lineparse import PointData, PointValue
from monitor.influx.lineproto import (
    escape_measurement,
    escape_tag,
    format_float,
    format_int,
    quote_string,
)
from monitor.influx.reader_v1 import Entry, InfluxV1Reader
from monitor.influx.schema import time_bounds
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.journal import JournalReader, Record, verify_records
from tests.fixtures.influxdb import InfluxServer
from tests.monitor.influx.point_tampering import (
    Delivered,
    PointTampering,
    alterations,
    deletions,
    insertions,
    swaps,
    tagger,
    time_swaps,
)
from tests.monitor.journal.samples import (
    CYCLE,
    LOT,
    T0,
    S,
    all_records,
    build_journal,
    device_key,
)
from tests.monitor.journal.tamper import (
    Tampered,
    assert_located,
)

KEY = device_key()
SITE, DEVICE = "lab", "pi-1"
ROLES = {"P1-ref": "reference", "F1-air": "fridge"}
# The journal's stamps run from T0 to T0 + 2 h; the window holds them with room on each side.
WINDOW = (T0 - 3600 * S, T0 + 3 * 3600 * S)


def examples(count: int) -> settings:
    # Each example is a database of its own on a real server: a few dozen are enough.
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> list[Delivered]:
    """The journal by row id without ``prev_hash``, as the outbox sends it, and by stream
    with ``prev_hash``, whose points carry it too."""
    path = tmp_path_factory.mktemp("influx_tamper") / "journal.sqlite"
    build_journal(path, KEY)
    with JournalReader(path) as reader:
        by_row = [record for _, record in reader.records_after(0, 100_000)]
    shapes = {"by row id": by_row, "by stream, with prev_hash": all_records(path)}
    return [Delivered(shape, records) for shape, records in shapes.items()]


# -- InfluxDB, and a model of what it holds ---------------------------------------------------


def line_of(point: PointData) -> str:
    tags = "".join(f",{escape_tag(k)}={escape_tag(v)}" for k, v in sorted(point.tags.items()))
    fields = ",".join(f"{escape_tag(k)}={value_text(v)}" for k, v in point.fields.items())
    return f"{escape_measurement(point.measurement)}{tags} {fields} {point.time}"


def value_text(value: PointValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, float):
        return format_float(value)
    return quote_string(value)


def tamper_with(influxdb: InfluxServer, database: str, tampering: PointTampering) -> None:
    for point in tampering.deletes:
        conditions = [tag_condition(k, v) for k, v in sorted(point.tags.items())]
        conditions.append(f"time = {point.time}")
        influxdb.query(
            f"DELETE FROM {quote_identifier(point.measurement)} WHERE {' AND '.join(conditions)}",
            database,
        )
    if tampering.writes:
        influxdb.write(database, "\n".join(line_of(point) for point in tampering.writes))


def series_and_time(point: PointData) -> tuple[str, tuple[tuple[str, str], ...], int | None]:
    return point.measurement, tuple(sorted(point.tags.items())), point.time


def expected_entries(points: Sequence[PointData], tampering: PointTampering) -> list[Entry]:
    """What the query must return once InfluxDB has applied ``tampering`` to ``points``."""
    held = {series_and_time(p): p for p in points}
    for gone in tampering.deletes:
        # A DELETE condition on tags matches every series that has those tags, among others.
        for key, point in list(held.items()):
            same_place = (point.measurement, point.time) == (gone.measurement, gone.time)
            if same_place and gone.tags.items() <= point.tags.items():
                del held[key]
    for new in tampering.writes:
        # A point written at the series and time of another replaces only the fields it
        # carries: InfluxDB keeps each field of a point on its own.
        old = held.get(series_and_time(new))
        fields = {**old.fields, **new.fields} if old is not None else dict(new.fields)
        held[series_and_time(new)] = replace(new, fields=fields)
    low, high = time_bounds(*WINDOW)
    entries = [
        point_record(p)
        for p in held.values()
        if (p.tags.get("site"), p.tags.get("device")) == (SITE, DEVICE)
        and p.time is not None
        and low <= p.time < high
    ]
    start, end = WINDOW
    return unique_records(e for e in entries if not isinstance(e, Record) or start <= e.ts < end)


def as_compared(entries: Sequence[Entry]) -> list[Entry]:
    # InfluxDB's order among copies of one stream and seq is its own.
    return sorted(entries, key=lambda e: (e.stream or "", e.seq or 0, repr(e)))


async def delivered_then(
    influxdb: InfluxServer, delivered: Delivered, tampering: PointTampering | None
) -> list[Entry]:
    """The entries a verification of the whole window reads from a fresh database that
    received the journal and then, if given, ``tampering``."""
    database = influxdb.create_database()
    writer = InfluxV1Writer(influxdb.url, database, tagger())
    reader = InfluxV1Reader(influxdb.url, database, chunk_size=16, site=SITE, device=DEVICE)
    try:
        await writer.write(delivered.records)
        if tampering is not None:
            tamper_with(influxdb, database, tampering)
        return await reader.records_between(*WINDOW)
    finally:
        await writer.close()
        await reader.close()
        influxdb.query(f'DROP DATABASE "{database}"')


async def check_located(
    influxdb: InfluxServer, delivered: Delivered, tampering: PointTampering
) -> None:
    entries = await delivered_then(influxdb, delivered, tampering)
    assert as_compared(entries) == as_compared(expected_entries(delivered.points, tampering)), (
        f"{tampering.what}: InfluxDB does not hold what the tampering should have left"
    )
    report = verify_records(entries, KEY.public, ordered=False, source="InfluxDB")
    readable = [e for e in entries if isinstance(e, Record)]
    assert_located(report, Tampered(readable, tampering.what, tampering.places, tampering.kinds))


# -- tamperings -------------------------------------------------------------------------------


async def test_untouched_points_verify(influxdb: InfluxServer, deliveries: list[Delivered]) -> None:
    for delivered in deliveries:
        entries = await delivered_then(influxdb, delivered, None)
        assert entries == sorted(delivered.records, key=lambda r: (r.stream, r.seq))
        report = verify_records(entries, KEY.public, ordered=False, source="InfluxDB")
        assert report.ok, report.format()
        assert not report.findings, report.format()
        assert {s.stream: s.sealed for s in report.streams}[CYCLE] is True
        assert sum(s.records for s in report.streams) == len(delivered.records)


async def test_untouched_lot_verifies(
    influxdb: InfluxServer, influxdb_database: str, deliveries: list[Delivered]
) -> None:
    writer = InfluxV1Writer(influxdb.url, influxdb_database, tagger())
    reader = InfluxV1Reader(influxdb.url, influxdb_database, site=SITE, device=DEVICE)
    try:
        await writer.write(deliveries[0].records)
        entries = await reader.lot_records(LOT)
    finally:
        await writer.close()
        await reader.close()
    # The cycle's points are not tagged with the lot (it was linked after they were sent):
    # the lot's cycle_linked record must bring them in.
    assert not any("lots" in p.tags for p in deliveries[0].points if p.tags["stream"] == CYCLE)
    assert {e.stream for e in entries} == {f"lot:{LOT}", CYCLE}
    report = verify_records(entries, KEY.public, ordered=False)
    assert report.ok, report.format()
    assert not report.findings, report.format()


@examples(60)
@given(data=st.data())
async def test_any_alteration_of_a_point_is_located(
    influxdb: InfluxServer, deliveries: list[Delivered], data: st.DataObject
) -> None:
    delivered = data.draw(st.sampled_from(deliveries))
    await check_located(influxdb, delivered, data.draw(alterations(delivered)))


@examples(25)
@given(data=st.data())
async def test_any_deletion_of_a_point_is_located(
    influxdb: InfluxServer, deliveries: list[Delivered], data: st.DataObject
) -> None:
    delivered = data.draw(st.sampled_from(deliveries))
    await check_located(influxdb, delivered, data.draw(deletions(delivered)))


@examples(25)
@given(data=st.data())
async def test_any_forged_point_is_located(
    influxdb: InfluxServer, deliveries: list[Delivered], data: st.DataObject
) -> None:
    delivered = data.draw(st.sampled_from(deliveries))
    await check_located(influxdb, delivered, data.draw(insertions(delivered)))


@examples(25)
@given(data=st.data())
async def test_any_swap_within_a_stream_is_located(
    influxdb: InfluxServer, deliveries: list[Delivered], data: st.DataObject
) -> None:
    delivered = data.draw(st.sampled_from(deliveries))
    await check_located(influxdb, delivered, data.draw(swaps(delivered)))


@examples(15)
@given(data=st.data())
async def test_points_exchanging_their_times_hold_the_same_records(
    influxdb: InfluxServer, deliveries: list[Delivered], data: st.DataObject
) -> None:
    # A point's time only keeps points apart (README.md, "Point identity"); a record's stamp
    # is its ts field and InfluxDB keeps no order of arrival. Points of one stream exchanging
    # their times hold the same records: there is nothing to find, and a reader that took
    # stamps or order from point times would report damage here.
    delivered = data.draw(st.sampled_from(deliveries))
    tampering = data.draw(time_swaps(delivered))
    entries = await delivered_then(influxdb, delivered, tampering)
    assert as_compared(entries) == as_compared(expected_entries(delivered.points, tampering))
    assert entries == sorted(delivered.records, key=lambda r: (r.stream, r.seq))
    report = verify_records(entries, KEY.public, ordered=False, source="InfluxDB")
    assert not report.findings, f"{tampering.what}\n{report.format()}"
