from datetime import date

import pytest

from monitor.journal import RecordError, cycle_stream, enclosure_day_stream, lot_stream
from monitor.journal.streams import (
    StreamId,
    StreamKind,
    parse_enclosure_day,
    parse_stream,
    sheets_stream,
)


def test_stream_ids_follow_the_shared_convention() -> None:
    assert cycle_stream("P1", 1_795_680_000_123_000_000) == "cycle:P1:2026-11-26T08:00:00Z"
    assert enclosure_day_stream("F1", date(2026, 11, 21)) == "enclosure:F1:2026-11-21"
    assert lot_stream("L2026-001") == "lot:L2026-001"
    assert parse_enclosure_day("enclosure:F1:2026-11-21") == ("F1", date(2026, 11, 21))
    assert parse_enclosure_day("enclosure:F1:2026-13-45") is None
    assert parse_enclosure_day("cycle:P1:2026-11-21T08:00:00Z") is None


def test_bad_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="pasteuriser id"):
        cycle_stream("P 1", 0)
    with pytest.raises(ValueError, match="enclosure id"):
        enclosure_day_stream("", date(2026, 1, 1))
    with pytest.raises(RecordError):
        lot_stream("L 1")


def test_sheets_streams_name_an_enclosure_and_a_month() -> None:
    assert sheets_stream("F1", date(2026, 11, 21)) == "sheets:F1:2026-11"
    assert parse_stream("sheets:F1:2026-11") == StreamId(StreamKind.SHEETS, "F1", date(2026, 11, 1))
    assert parse_stream("sheets:F1:2026-13").kind is StreamKind.OTHER
    assert parse_stream("sheets:F1:0000-01").kind is StreamKind.OTHER
    with pytest.raises(ValueError, match="enclosure id"):
        sheets_stream("F 1", date(2026, 11, 1))
