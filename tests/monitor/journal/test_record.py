import pytest

from monitor.journal import RecordError
from monitor.journal.record import check_kind, check_stream, check_ts, normalise_fields
from monitor.reading import Quality


def test_fields_are_normalised() -> None:
    fields = normalise_fields({"a": None, "b": -0.0, "c": Quality.OK, "d": True, "e": 3})
    assert fields == {"b": 0.0, "c": "ok", "d": True, "e": 3}
    assert type(fields["c"]) is str
    assert str(fields["b"]) == "0.0"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"Bad": 1}, "field name 'Bad'"),
        ({"1a": 1}, "field name '1a'"),
        ({"seq": 1}, "reserved"),
        ({"x": float("nan")}, "not a finite number"),
        ({"x": 2**63}, "64 bits"),
        ({"x": "a\x00b"}, "NUL"),
        ({"x": "\ud800"}, "not valid Unicode"),
        ({"x": b"bytes"}, "bytes values cannot be recorded"),
        ({"x": [1]}, "list values cannot be recorded"),
        ({"x": "y" * 70_000}, "at most"),
        ({f"f{i}": 1 for i in range(101)}, "at most 100"),
    ],
)
def test_bad_fields_are_refused_with_their_name(fields: dict[str, object], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        normalise_fields(fields)  # type: ignore[arg-type]


def test_streams_kinds_and_stamps_are_checked() -> None:
    assert check_stream("cycle:P1:2026-11-21T08:00:00Z")
    for stream in ("", "a b", "é", "x" * 201, 5):
        with pytest.raises(RecordError, match="stream id"):
            check_stream(stream)
    assert check_kind("hold_completed")
    for kind in ("Hold", "_x", "", "a-b"):
        with pytest.raises(RecordError, match="record kind"):
            check_kind(kind)
    assert check_ts(0) == 0
    for ts in (-1, 1.5, True, 2**63):
        with pytest.raises(RecordError, match="time stamp"):
            check_ts(ts)
