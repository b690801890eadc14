"""Silence in the cold chain: a reading vouches for a while, unmeasured time is kept apart.

docs/RULES.md, Cold chain, C7: silence is neither an excursion nor a return to the band; time
with no usable reading never brings an excursion closer to its alarm (the stale alarm, F4,
covers it), and records keep measured and unmeasured time apart. A usable reading covers the
time until the probe's next reading, at most ``BandSpec.coverage_s`` (the probe's stale
limit: 3 periods of 10 s by default).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from monitor.evaluation import BandMachine, BandSpec, Event, Tick
from monitor.evaluation.cold_chain_events import ExcursionAlarmed, ExcursionEnded
from tests.monitor.evaluation.curves import FAULT, S, at, kinds

COVERAGE_S = 30  # BandSpec's default: 3 sample periods of 10 s


def fridge(*probes: str, coverage_s: float = COVERAGE_S) -> BandMachine:
    spec = dataclasses.replace(BandSpec.fridge(), coverage_s=coverage_s)
    return BandMachine("F1", spec, probes or ("p",), "2024-03-01", 0)


def ticks(band: BandMachine, start_s: int, end_s: int, every_s: int = 10) -> list[Event]:
    """The monitor's clock ticking while nothing comes."""
    return [e for t in range(start_s, end_s + 1, every_s) for e in band.tick(t * S)]


def test_one_reading_out_of_band_then_silence_never_alarms() -> None:
    # A fridge probe sends 4.3 °C once, then nothing: the band alarm must not come from the
    # silence (the stale alarm does, in probe_health).
    band = fridge()
    assert kinds(band.feed(at(0, 4.3, "p"))) == ["excursion_started"]
    assert ticks(band, 10, 3600) == []
    assert band.in_excursion


def test_readings_back_out_of_band_continue_the_delay_from_the_measured_time() -> None:
    band = fridge()
    band.feed(at(0, 4.3, "p"))  # vouches for 0..30 s
    ticks(band, 10, 590)
    events = [e for t in range(600, 1170, 10) for e in band.feed(at(t, 4.3, "p"))]
    assert events == []  # 30 s + 560 s measured: not yet the 10 minutes
    (alarm,) = band.feed(at(1170, 4.3, "p"))
    assert isinstance(alarm, ExcursionAlarmed)
    assert (alarm.since_ts, alarm.ts) == (0, 1170 * S)
    assert (alarm.measured_out_s, alarm.unmeasured_out_s) == (600.0, 570.0)
    assert "for 0:10:00" in alarm.reason
    assert alarm.reason.endswith("(worst 4.30 °C), not counting 0:09:30 without data")


@pytest.mark.parametrize(
    ("next_s", "measured", "unmeasured"), [(20, 20.0, 0.0), (30, 30.0, 0.0), (31, 30.0, 1.0)]
)
def test_a_reading_covers_until_the_next_one_at_most_the_coverage(
    next_s: int, measured: float, unmeasured: float
) -> None:
    band = fridge()
    band.feed(at(0, 5.0, "p"))
    (ended,) = band.feed(at(next_s, 3.0, "p"))
    assert isinstance(ended, ExcursionEnded)
    assert ended.duration_s == next_s  # the excursion's span, silence included
    assert (ended.measured_out_s, ended.unmeasured_out_s) == (measured, unmeasured)


def test_a_fault_reading_ends_the_coverage_of_the_value_before_it() -> None:
    band = fridge()
    band.feed(at(0, 5.0, "p"))
    assert band.feed(at(10, 3276.7, "p", FAULT)) == ()  # the probe says it cannot measure
    band.tick(25 * S)
    (ended,) = band.feed(at(40, 3.0, "p"))
    assert isinstance(ended, ExcursionEnded)
    assert (ended.measured_out_s, ended.unmeasured_out_s) == (10.0, 30.0)


def test_a_sparse_probe_vouches_for_its_own_stale_limit() -> None:
    # A probe sampled every minute, stale after 3 periods: each reading covers 3 minutes, so
    # a door left open is measured all along and alarms after exactly the delay.
    band = fridge(coverage_s=180)
    events = [e for t in range(0, 601, 60) for e in band.feed(at(t, 5.0, "p"))]
    assert kinds(events) == ["excursion_started", "excursion_alarmed"]
    assert events[1].ts == 600 * S
    assert events[1].unmeasured_out_s == 0.0  # type: ignore[attr-defined]


def test_with_several_probes_one_fresh_probe_out_of_band_is_measured() -> None:
    # top keeps reporting 5 °C while bottom is silent: the excursion is measured by top.
    band = fridge("top", "bottom")
    band.feed(at(0, 3.0, "bottom"))
    events = [e for t in range(0, 601, 10) for e in band.feed(at(t, 5.0, "top"))]
    assert kinds(events) == ["excursion_started", "excursion_alarmed"]
    assert events[1].ts == 600 * S


def test_with_several_probes_a_stale_value_out_of_band_is_unmeasured() -> None:
    # bottom's last value (5 °C) keeps the excursion open, but bottom is silent and top, which
    # still reports, is back in band: nobody measures the excursion any more.
    band = fridge("top", "bottom")
    band.feed(at(0, 3.0, "top"))
    band.feed(at(0, 5.0, "bottom"))
    events = [e for t in range(10, 1201, 10) for e in band.feed(at(t, 3.0, "top"))]
    assert events == []
    (ended,) = band.feed(at(1210, 3.0, "bottom"))
    assert isinstance(ended, ExcursionEnded)
    assert (ended.measured_out_s, ended.unmeasured_out_s) == (30.0, 1180.0)


def test_a_gross_reading_alarms_at_once_even_after_a_silence() -> None:
    band = fridge()
    band.feed(at(0, 5.0, "p"))
    ticks(band, 10, 3000)
    (alarm,) = band.feed(at(3010, 8.5, "p"))
    assert isinstance(alarm, ExcursionAlarmed)
    assert alarm.gross


def test_a_band_restored_in_a_silence_resumes_exactly() -> None:
    inputs = [at(0, 5.0, "p"), *[Tick(t * S) for t in range(10, 900, 10)]]
    inputs += [at(t, 5.5, "p") for t in range(900, 1800, 10)]
    whole, part = fridge(), fridge()
    expected = [e for item in inputs for e in whole.step(item)]
    got = [e for item in inputs[:50] for e in part.step(item)]
    data = json.loads(json.dumps(part.snapshot()))
    resumed = BandMachine.restore("F1", part.spec, ["p"], data)
    got += [e for item in inputs[50:] for e in resumed.step(item)]
    assert got == expected
    assert kinds(expected) == ["excursion_started", "excursion_alarmed"]
