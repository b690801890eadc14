"""Fridge and freezer curves shaped as real probes send them, fed to the core as they come.

A door left open, a defrost, a power cut: each test breaks if the core breaks its rule
(docs/RULES.md, Cold chain: the delay C3, the gross limit C4, the deadband C5, silence C7;
Probe faults: the stale alarm F4).
"""

from __future__ import annotations

import dataclasses

import pytest

from monitor.evaluation import (
    BandMachine,
    BandSpec,
    Event,
    Input,
    ProbeHealth,
    ProbeHealthSpec,
    run,
)
from monitor.evaluation.cold_chain_events import (
    ExcursionAlarmed,
    ExcursionEnded,
    ExcursionStarted,
    ProbeStaleCleared,
    ProbeStaleRaised,
)
from tests.monitor.evaluation.curves import S
from tests.monitor.evaluation.device_curves import Air, silent

MIN = 60
DOOR_S, DOOR_OPEN_S = 10 * MIN, 25 * MIN
CUT_S, CUT_LENGTH_S = 30 * MIN, 90 * MIN
POWER_BACK_S = CUT_S + CUT_LENGTH_S


def band(kind: str, period_s: float = 10.0) -> BandMachine:
    """An enclosure with the defaults of its kind, its probe's stale limit 3 periods."""
    spec = BandSpec.fridge() if kind == "fridge" else BandSpec.freezer()
    spec = dataclasses.replace(spec, coverage_s=3 * period_s)
    return BandMachine("E1", spec, ["air"], "2026-03-02", 0)


def of(events: list[Event], kind: type[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, kind)]


def door_left_open(t: float) -> tuple[float, float]:
    """Room air pours in while the door is ajar; the compressor pulls back once it shuts."""
    return (6.5, 120.0) if DOOR_S <= t < DOOR_S + DOOR_OPEN_S else (3.0, 300.0)


def defrost(t: float) -> tuple[float, float]:
    """At 30 min the defrost heater runs 13 min; its thermostat stops the air at -12 °C."""
    return (-12.0, 150.0) if 30 * MIN <= t < 43 * MIN else (-21.0, 150.0)


def power_cut(t: float) -> tuple[float, float]:
    """No compressor for 90 min: a slow drift towards 7.5 °C, then a pull-down at full power."""
    if t < CUT_S:
        return 3.0, 600.0
    return (7.5, 1800.0) if t < POWER_BACK_S else (2.0, 600.0)


@pytest.mark.parametrize("period_s", [10.0, 60.0])
def test_a_fridge_door_left_open_alarms_after_the_delay(period_s: float) -> None:
    # A probe read every 10 s or every minute: either way the excursion is measured all along
    # (each reading vouches for 3 periods) and alarms after exactly 10 minutes, not at once.
    fridge = band("fridge", period_s)
    events = run(fridge, Air(door_left_open, 3.0).inputs(period_s, 3 * 3600))
    assert [type(e) for e in events] == [ExcursionStarted, ExcursionAlarmed, ExcursionEnded]
    started, alarmed, ended = events
    assert isinstance(alarmed, ExcursionAlarmed)
    assert isinstance(ended, ExcursionEnded)
    assert DOOR_S < started.ts / S < DOOR_S + 2 * MIN
    assert alarmed.ts - started.ts == 10 * MIN * S
    assert (alarmed.gross, alarmed.measured_out_s, alarmed.unmeasured_out_s) == (False, 600, 0)
    assert ended.ts / S > DOOR_S + DOOR_OPEN_S  # back in band by the deadband after it shuts
    assert 6.0 < ended.worst_c < 8.0
    assert (ended.measured_out_s, ended.unmeasured_out_s) == (ended.duration_s, 0.0)


def test_a_15_min_defrost_to_minus_12_is_tolerated_by_the_20_min_delay() -> None:
    events = run(band("freezer"), Air(defrost, -20.0).inputs(10.0, 3 * 3600))
    assert not of(events, ExcursionAlarmed)
    (ended,) = of(events, ExcursionEnded)
    assert isinstance(ended, ExcursionEnded)
    # long enough that a fridge's 10-min delay would have alarmed: the freezer's 20 decides
    assert 14 * MIN < ended.duration_s < 16 * MIN
    assert -12.3 < ended.worst_c < -11.7  # under the -10 °C gross limit
    assert not ended.alarmed


def power_cut_inputs(silent_until_s: float) -> list[Input]:
    """The probe reports the first 12 min of the cut, then its gateway, on the same
    circuit, is down until ``silent_until_s``; the monitor's clock ticks on."""
    inputs = Air(power_cut, 3.0).inputs(10.0, 4 * 3600)
    return silent(inputs, CUT_S + 12 * MIN, silent_until_s)


def test_a_power_cut_with_the_probe_silent_is_a_stale_alarm_not_a_band_alarm() -> None:
    # The gateway is back 30 min after the power: the fridge has pulled down meanwhile.
    inputs = power_cut_inputs(POWER_BACK_S + 30 * MIN)
    fridge = band("fridge")
    events = run(fridge, inputs)
    assert [type(e) for e in events] == [ExcursionStarted, ExcursionEnded]
    ended = events[1]
    assert isinstance(ended, ExcursionEnded)
    assert ended.ts == (POWER_BACK_S + 30 * MIN) * S  # the first reading back is in band
    assert 4 * MIN < ended.measured_out_s < 5 * MIN + 30  # out of band and read: ~4.5 min
    assert ended.unmeasured_out_s > 100 * MIN  # the silence: no delay, no alarm
    assert fridge.day_summary().unmeasured_s == pytest.approx(ended.unmeasured_out_s)
    health = run(ProbeHealth("air", ProbeHealthSpec(10.0), 0), inputs)
    assert [type(e) for e in health] == [ProbeStaleRaised, ProbeStaleCleared]
    raised, cleared = health
    assert raised.ts == (CUT_S + 12 * MIN + 30) * S  # 3 periods after the last reading
    assert cleared.ts == ended.ts


def test_a_power_cut_probe_back_while_warm_continues_the_delay_from_the_measured_time() -> None:
    # The gateway is back with the power, the fridge still warm: the ~4.5 min read before the
    # silence count, the 78 min of silence do not; the alarm comes ~5.5 min after the return.
    events = run(band("fridge"), power_cut_inputs(POWER_BACK_S))
    (started,) = of(events, ExcursionStarted)
    (alarmed,) = of(events, ExcursionAlarmed)
    assert isinstance(alarmed, ExcursionAlarmed)
    assert not alarmed.gross
    assert POWER_BACK_S + 5 * MIN < alarmed.ts / S < POWER_BACK_S + 6 * MIN
    assert (alarmed.measured_out_s, alarmed.since_ts) == (600.0, started.ts)
    assert alarmed.unmeasured_out_s > 75 * MIN
    assert "for 0:10:00" in alarmed.reason
    assert "without data" in alarmed.reason
