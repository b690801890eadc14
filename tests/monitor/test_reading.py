import math

from monitor.reading import Quality, Reading


def test_only_finite_non_fault_readings_are_evidence() -> None:
    assert Reading("p", 1, 63.0, Quality.OK).usable
    assert Reading("p", 1, 120.0, Quality.OUT_OF_RANGE).usable
    assert not Reading("p", 1, 63.0, Quality.FAULT).usable
    assert not Reading("p", 1, math.nan, Quality.OK).usable
    assert not Reading("p", 1, math.inf, Quality.OK).usable
