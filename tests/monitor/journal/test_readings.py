import math

import pytest

from monitor.journal import Record, RecordError, reading_fields, reading_from_record
from monitor.reading import Quality, Reading


def as_record(reading: Reading, **tags: object) -> Record:
    fields = reading_fields(reading, tags)  # type: ignore[arg-type]
    return Record("enclosure:F1:2026-11-26", 1, reading.ts, "reading", fields, b"")


def test_a_reading_round_trips_through_its_fields() -> None:
    reading = Reading("F1-air", 10, 3.5, Quality.OUT_OF_RANGE, 3.55, "late")
    record = as_record(reading, door="closed")
    assert record.fields == {
        "probe": "F1-air",
        "quality": "out_of_range",
        "value": 3.5,
        "raw": 3.55,
        "detail": "late",
        "door": "closed",
    }
    assert reading_from_record(record) == reading


def test_empty_detail_and_missing_raw_are_left_out() -> None:
    record = as_record(Reading("F1-air", 10, 4, Quality.OK))
    assert record.fields == {"probe": "F1-air", "quality": "ok", "value": 4.0}
    assert type(record.fields["value"]) is float


def test_values_that_are_not_numbers_are_kept_as_text() -> None:
    reading = Reading("P1-ref", 10, math.nan, Quality.FAULT, -math.inf)
    record = as_record(reading)
    assert record.fields["value_nonfinite"] == "nan"
    assert record.fields["raw_nonfinite"] == "-inf"
    back = reading_from_record(record)
    assert math.isnan(back.value)
    assert back.raw == -math.inf
    assert back.quality is Quality.FAULT


def test_tags_cannot_replace_a_readings_own_fields() -> None:
    with pytest.raises(RecordError, match="'value'"):
        reading_fields(Reading("P", 1, 1.0, Quality.OK), {"value": 2.0})
    with pytest.raises(RecordError, match="probe id"):
        reading_fields(Reading("", 1, 1.0, Quality.OK))


def test_only_reading_records_are_readings() -> None:
    record = Record("device", 1, 1, "journal_opened", {}, b"")
    with pytest.raises(RecordError, match="not a reading"):
        reading_from_record(record)
    with pytest.raises(RecordError, match="does not hold a reading"):
        reading_from_record(Record("device", 1, 1, "reading", {"probe": "P"}, b""))
