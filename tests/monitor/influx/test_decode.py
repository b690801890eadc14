import pytest

from monitor.influx.decode import point_record, records_from_line_protocol, unique_records
from monitor.influx.encode import LineEncoder
from monitor.influx.lineparse import PointData, PointValue
from monitor.influx.tags import Tagger
from monitor.journal.record import Record, Unreadable
from tests.monitor.influx.records import T0, chained, cycle_records

HASH = "ab" * 32


def point(
    fields: dict[str, PointValue],
    tags: dict[str, str] | None = None,
    measurement: str = "lactamon_reading",
) -> PointData:
    base: dict[str, PointValue] = {"seq": 4, "ts": T0, "hash": HASH}
    return PointData(
        measurement, {"stream": "s", "kind": "reading", **(tags or {})}, {**base, **fields}, 5
    )


def test_whole_floats_answered_as_json_integers_read_back_as_floats() -> None:
    record = point_record(point({"value": 60, "quality": "ok"}, {"probe": "T1", "site": "x"}))
    assert record == Record(
        "s", 4, T0, "reading", {"value": 60.0, "quality": "ok", "probe": "T1"}, bytes.fromhex(HASH)
    )
    assert isinstance(record, Record)
    assert type(record.fields["value"]) is float


def test_fields_this_schema_does_not_write_are_ignored() -> None:
    record = point_record(point({"extra": 1.5}))
    assert isinstance(record, Record)
    assert record.fields == {}


@pytest.mark.parametrize(
    ("fields", "tags", "measurement", "reason"),
    [
        ({"payload": "{"}, {}, "lactamon_event", "not valid JSON"),
        ({"payload": "[1]"}, {}, "lactamon_event", "not a JSON object"),
        ({"payload": '{"a": null}'}, {}, "lactamon_event", "a holds NoneType"),
        ({"payload": '{"a": NaN}'}, {}, "lactamon_event", "not valid JSON"),
        ({"payload": 3}, {}, "lactamon_event", "payload is not text"),
        ({"payload": '{"probe": "x"}'}, {"probe": "y"}, "lactamon_event", "probe is stored twice"),
        ({"value": "hot"}, {}, "lactamon_reading", "value holds str, not float"),
        ({"head_seq": 1.5}, {}, "lactamon_head", "head_seq holds float, not int"),
        ({"ts": 1.5}, {}, "lactamon_event", "kind tag or ts field"),
        ({"prev_hash": "xyz"}, {}, "lactamon_event", "prev_hash is not hexadecimal"),
        ({}, {}, "other", "not a lactamon measurement"),
    ],
)
def test_points_that_cannot_be_read_are_reported(
    fields: dict[str, PointValue], tags: dict[str, str], measurement: str, reason: str
) -> None:
    entry = point_record(point(fields, tags, measurement))
    assert isinstance(entry, Unreadable)
    assert (entry.stream, entry.seq, entry.hash) == ("s", 4, bytes.fromhex(HASH))
    assert reason in entry.reason
    assert entry.where == f"{measurement} point at time 5"


def test_a_point_without_identity_is_reported_with_what_is_left() -> None:
    entry = point_record(PointData("lactamon_event", {"kind": "x"}, {"seq": 2, "hash": "zz"}, 1))
    assert entry == Unreadable(
        None, 2, None, "lactamon_event point at time 1", "field hash is not hexadecimal"
    )
    entry = point_record(PointData("lactamon_event", {}, {"seq": 2, "hash": HASH}, 1))
    assert isinstance(entry, Unreadable)
    assert entry.reason == "its stream tag, seq or hash is missing"


def test_unique_records_sorts_and_keeps_differing_copies() -> None:
    a1 = chained("a", 1, T0, "x", {"v": 0.0})
    a1_negative_zero = Record("a", 1, T0, "x", {"v": -0.0}, a1.hash, a1.prev_hash)
    b2 = chained("b", 2, T0, "x", {})
    b1 = chained("b", 1, T0, "x", {})
    lost = Unreadable("b", None, None, "p", "r")
    assert unique_records([b2, a1, lost, b1, a1, a1_negative_zero, lost]) == [
        a1,
        a1_negative_zero,
        lost,
        b1,
        b2,
    ]


def test_records_from_an_export() -> None:
    records = cycle_records()
    lines = LineEncoder(Tagger("lab", "pi-1")).lines(list(reversed(records)))
    export = "# DML\n# CONTEXT-DATABASE: lactamon\ncpu,host=a load=1.5 1\n" + "\n".join(lines)
    assert records_from_line_protocol(export) == records
