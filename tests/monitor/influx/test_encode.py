import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.influx.decode import point_record
from monitor.influx.encode import LineEncoder
from monitor.influx.errors import SchemaError
from monitor.influx.lineparse import parse_line, parse_lines
from monitor.influx.schema import (
    EVENT_MEASUREMENT,
    HEAD_MEASUREMENT,
    READING_MEASUREMENT,
    point_time,
)
from monitor.influx.tags import Tagger
from monitor.journal.canonical import chain_hash, record_canonical
from monitor.journal.record import Record
from tests.monitor.influx.records import T0, chained, cycle_records, records

ROLES = {"T-ref": "reference", "T-bath": "bath"}


def new_encoder() -> LineEncoder:
    return LineEncoder(Tagger("lab", "pi-1", ROLES))


@settings(max_examples=300, deadline=None)
@given(st.lists(records(), max_size=8))
def test_record_line_record_is_exact(batch: list[Record]) -> None:
    lines = new_encoder().lines(batch)
    back = [point_record(point) for point in parse_lines("\n".join(lines))]
    assert back == batch
    for record, original in zip(back, batch, strict=True):
        assert isinstance(record, Record)
        assert record_canonical(record) == record_canonical(original)
        if record.prev_hash is not None:
            assert chain_hash(record.prev_hash, record_canonical(record)) == record.hash
        for name, value in record.fields.items():
            assert type(value) is type(original.fields[name])


def test_a_reading_line_carries_its_tags_and_typed_fields() -> None:
    started, reading = cycle_records()[:2]
    encoder = new_encoder()
    encoder.line(started)  # names the lots of the cycle
    point = parse_line(encoder.line(reading))
    assert point.measurement == READING_MEASUREMENT
    assert point.tags == {
        "site": "lab",
        "device": "pi-1",
        "equipment": "P1",
        "cycle": "P1:2026-11-21T08:00:00Z",
        "stream": "cycle:P1:2026-11-21T08:00:00Z",
        "lots": "L2026-001",
        "kind": "reading",
        "probe": "T-ref",
        "role": "reference",
    }
    assert point.fields == {
        "seq": 2,
        "ts": reading.ts,
        "hash": reading.hash.hex(),
        "prev_hash": reading.prev_hash.hex() if reading.prev_hash else None,
        "value": 62.0,
        "quality": "ok",
    }
    assert point.time == point_time(reading.ts, 2)


def test_events_and_heads_keep_their_fields_in_payload_and_typed_fields() -> None:
    records = cycle_records()
    encoder = new_encoder()
    started, checkpoint = (
        parse_line(encoder.line(records[0])),
        parse_line(encoder.line(records[-1])),
    )
    assert started.measurement == EVENT_MEASUREMENT
    assert started.fields["payload"] == (
        '{"lots":"L2026-001","program":"holder63","subject":"cycle:P1:2026-11-21T08:00:00Z"}'
    )
    assert checkpoint.measurement == HEAD_MEASUREMENT
    assert checkpoint.fields["head_seq"] == records[-1].fields["head_seq"]
    assert checkpoint.fields["key_id"] == "k1"
    assert "payload" not in checkpoint.fields


def test_types_that_do_not_fit_a_typed_field_go_to_payload() -> None:
    # One InfluxDB field holds one type: an integer value, a -0.0 (answered as "-0" in JSON),
    # a non-text quality and a probe that cannot be a tag all go to the JSON payload.
    odd = chained(
        "enclosure:F1:2026-11-21",
        1,
        T0,
        "reading",
        {"value": 4, "raw": -0.0, "quality": 3, "probe": "a\\b"},
    )
    point = parse_line(new_encoder().line(odd))
    assert "value" not in point.fields
    assert "probe" not in point.tags
    assert point.fields["payload"] == '{"probe":"a\\\\b","quality":3,"raw":-0.0,"value":4}'
    assert point_record(point) == odd


def test_same_ns_records_of_a_stream_get_different_points() -> None:
    # Two alarms of one enclosure raised in the same evaluation step share their stamp.
    stream = "enclosure:F1:2026-11-21"
    first = chained(stream, 7, T0, "alarm_raised", {"probe": "T1"})
    second = chained(stream, 8, T0, "alarm_raised", {"probe": "T1"})
    lines = new_encoder().lines([first, second])
    assert parse_line(lines[0]).time != parse_line(lines[1]).time
    assert parse_line(lines[0]).tags == parse_line(lines[1]).tags  # same series


def test_same_record_same_line() -> None:
    records = cycle_records()
    assert new_encoder().lines(records) == new_encoder().lines(records)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (chained("a\\b", 1, T0, "x", {}), "cannot be an InfluxDB tag"),
        (chained("s", 0, T0, "x", {}), "seq 0"),
        (chained("s", 999_999, 2**63 - 1, "x", {}), "outside InfluxDB's range"),
        (Record("s", 1, T0, "x", {"f": None}, b"h"), "None field"),  # type: ignore[dict-item]
        (Record("s", 1, T0, "x", {"f": [1]}, b"h"), "holds a list"),  # type: ignore[dict-item]
        (Record("s", 1, T0, "x", {"f": math.inf}, b"h"), "not a finite number"),
        (Record("s", 1, T0, "x", {}, "ab"), "hash must be bytes"),  # type: ignore[arg-type]
    ],
)
def test_records_without_a_faithful_point_are_refused(record: Record, problem: str) -> None:
    with pytest.raises(SchemaError, match=problem) as caught:
        new_encoder().lines([record])
    assert f"{record.stream}#{record.seq}" in str(caught.value)


def test_text_that_is_not_unicode_is_refused() -> None:
    record = Record("s", 3, T0, "x", {"note": "a\ud800"}, b"h")
    with pytest.raises(SchemaError, match=r"s#3: its text is not valid Unicode"):
        new_encoder().lines([record])
