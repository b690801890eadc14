from hypothesis import given
from hypothesis import strategies as st

from monitor.influx.schema import (
    EVENT_MEASUREMENT,
    HEAD_MEASUREMENT,
    READING_MEASUREMENT,
    SLOT_NS,
    measurement_for,
    point_time,
    time_bounds,
)

stamps = st.integers(min_value=0, max_value=2**62)


def test_measurements() -> None:
    assert measurement_for("reading") == READING_MEASUREMENT
    assert measurement_for("checkpoint") == HEAD_MEASUREMENT
    assert measurement_for("seal") == HEAD_MEASUREMENT
    assert measurement_for("hold_completed") == EVENT_MEASUREMENT


def test_point_time_keeps_the_millisecond_and_holds_the_seq() -> None:
    assert point_time(1_795_287_866_586_123_456, 7) == 1_795_287_866_586_000_007
    assert point_time(1_795_287_866_586_123_456, 1_000_007) == 1_795_287_866_586_000_007
    assert point_time(0, 1) == 1


@given(stamps, st.integers(min_value=1, max_value=2**63 - 1))
def test_point_time_stays_in_the_records_millisecond(ts: int, seq: int) -> None:
    assert point_time(ts, seq) // SLOT_NS == ts // SLOT_NS


@given(stamps, stamps, stamps, st.integers(min_value=1, max_value=2**63 - 1))
def test_time_bounds_hold_every_record_of_the_range(a: int, b: int, ts: int, seq: int) -> None:
    start, end = min(a, b), max(a, b) + 1
    low, high = time_bounds(start, end)
    if start <= ts < end:
        assert low <= point_time(ts, seq) < high
    assert high - low <= end - start + 2 * SLOT_NS
