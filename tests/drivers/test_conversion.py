import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.probes import Probe
from drivers.conversion import fahrenheit_to_celsius, make_reading
from monitor.reading import Quality


def probe(**extra: object) -> Probe:
    base: dict[str, object] = {
        "id": "p",
        "source": {"kind": "serial", "line": "s", "field": "T1"},
        "calibration_due": date(2027, 1, 1),
    }
    return Probe.model_validate(base | extra)


def test_offset_is_applied_and_raw_kept() -> None:
    r = make_reading(probe(calibration_offset_c=-0.2), 63.1, ts=5)
    assert (r.value, r.raw, r.quality, r.ts) == (62.9, 63.1, Quality.OK, 5)


@pytest.mark.parametrize("raw", [3276.7, -3276.8, -200.0, -127.0, math.nan, math.inf])
def test_sentinels_and_non_numbers_are_faults(raw: float) -> None:
    r = make_reading(probe(), raw, ts=1)
    assert r.quality is Quality.FAULT
    assert r.detail


def test_implausible_is_fault_and_outside_measuring_range_is_flagged() -> None:
    assert make_reading(probe(), 500.0, ts=1).quality is Quality.FAULT
    assert make_reading(probe(), 120.0, ts=1).quality is Quality.OUT_OF_RANGE
    assert make_reading(probe(), 110.0, ts=1).quality is Quality.OK


def test_fahrenheit_payload_or_probe() -> None:
    assert make_reading(probe(), 212.0, ts=1, unit="F").value == pytest.approx(100.0)
    assert make_reading(probe(unit="F"), 32.0, ts=1).value == pytest.approx(0.0)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_never_raises_on_any_float(raw: float) -> None:
    r = make_reading(probe(), raw, ts=1)
    assert r.quality in Quality
    if r.quality is Quality.OK:
        assert -50 <= r.value <= 110


@given(st.floats(min_value=-1000, max_value=1000))
def test_fahrenheit_round_trip(c: float) -> None:
    assert fahrenheit_to_celsius(c * 9 / 5 + 32) == pytest.approx(c, abs=1e-9)


def test_float32_sentinel_is_still_named_a_fault_value() -> None:
    import struct

    as_float32 = struct.unpack(">f", struct.pack(">f", 3276.7))[0]
    assert as_float32 != 3276.7
    assert make_reading(probe(), as_float32, ts=1).detail.startswith("fault value")
