import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.probe_limits import ProbeLimits, Role, probe_limits
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


def limits(role: Role, **extra: object) -> ProbeLimits:
    return probe_limits(probe(**extra), role)


def test_plausible_range_follows_the_role() -> None:
    air, bath = limits("enclosure"), limits("pasteuriser")
    assert make_reading(probe(), 60.0, ts=1, limits=air).quality is Quality.FAULT
    assert make_reading(probe(), 60.0, ts=1, limits=air).detail == "implausible 60 °C"
    assert make_reading(probe(), -49.0, ts=1, limits=air).quality is Quality.OK
    assert make_reading(probe(), 63.0, ts=1, limits=bath).quality is Quality.OK
    assert make_reading(probe(), -20.0, ts=1, limits=bath).quality is Quality.FAULT
    assert make_reading(probe(), 109.0, ts=1, limits=bath).quality is Quality.OK


@pytest.mark.parametrize(
    ("raw", "unit", "meaning"),
    [
        (85.0, "C", "DS18B20 power-on value"),
        (185.0, "F", "DS18B20 power-on value"),
        (-127.0, "C", "DS18B20 disconnected"),
        (-196.6, "F", "DS18B20 disconnected"),
    ],
)
def test_reset_values_are_faults_on_exact_equality(raw: float, unit: str, meaning: str) -> None:
    ds = limits("pasteuriser", sensor="ds18b20")
    reading = make_reading(probe(sensor="ds18b20"), raw, ts=1, unit=unit, limits=ds)
    assert reading.quality is Quality.FAULT
    assert reading.detail.endswith(meaning)
    assert reading.raw == raw


def test_a_temperature_beside_a_reset_value_is_a_temperature() -> None:
    ds = limits("pasteuriser", sensor="ds18b20")
    for raw in (85.1, 84.9, 85.0625):
        assert make_reading(probe(), raw, ts=1, limits=ds).quality is Quality.OK
    # Without the sensor setting 85.0 is a bath temperature like another.
    assert make_reading(probe(), 85.0, ts=1, limits=limits("pasteuriser")).quality is Quality.OK


def test_the_reset_value_is_named_before_the_plausible_range() -> None:
    ht = limits("enclosure", sensor="shelly_ht_gen1")
    reading = make_reading(probe(), -99.5, ts=1, limits=ht)
    assert reading.detail == "reset value -99.5: Shelly H&T Gen1 value after power-on"


def test_a_fault_the_device_reports_wins_over_its_value() -> None:
    reading = make_reading(probe(), 4.0, ts=1, device_fault="device status 1: sensor break")
    assert (reading.quality, reading.detail) == (Quality.FAULT, "device status 1: sensor break")
    assert reading.raw == 4.0
