"""The evaluation core on the simulator's shipped scenarios: fridges, freezers, probe faults.

Each scenario is simulated once (see ``simulated``), polled every 10 s as a monitor would,
and fed to the machines the monitor would start: a band per fridge or freezer, a health
machine per probe, a cycle where a fault touches one. Times in assertions are simulated
seconds; fault windows come from the scenario files themselves.
"""

from __future__ import annotations

import pytest

from monitor.evaluation import CycleProbes, Tick, run
from monitor.evaluation.cold_chain_events import (
    ExcursionAlarmed,
    ExcursionEnded,
    ExcursionStarted,
    ProbeFaultCleared,
    ProbeFaultRaised,
    ProbeStaleCleared,
    ProbeStaleRaised,
    ProbeStuckCleared,
    ProbeStuckRaised,
)
from monitor.evaluation.events import HoldInterrupted, OvershootStarted
from monitor.reading import Quality
from simulator.scenario import FaultKind
from tests.monitor.evaluation.simulated import (
    SAMPLE_PERIOD_S,
    band_of,
    band_run,
    cycle_run,
    fault_of,
    health_run,
    inputs_of,
    only,
    readings,
    scenario,
    sim_s_at,
)

MIN = 60.0
SETPOINT_C = 63.0
POLL_S = SAMPLE_PERIOD_S
GAP_LIMIT_S = 3 * POLL_S  # CyclePolicy's default: 3 sample periods of 10 s


# -- fridge and freezer ---------------------------------------------------------------------


def test_door_left_open_alarms_after_the_delay_and_ends_by_the_deadband() -> None:
    door = fault_of(scenario("door-left-open"), FaultKind.DOOR_OPEN, "F1")
    events = band_run("door-left-open", "F1")
    assert [type(e) for e in events] == [ExcursionStarted, ExcursionAlarmed, ExcursionEnded]
    started, alarmed, ended = events
    assert isinstance(started, ExcursionStarted)
    assert isinstance(alarmed, ExcursionAlarmed)
    assert isinstance(ended, ExcursionEnded)
    assert sim_s_at(started.ts) >= door.start_s
    assert (started.side, alarmed.gross, alarmed.since_ts) == ("high", False, started.ts)
    assert sim_s_at(alarmed.ts) == sim_s_at(started.ts) + 10 * MIN  # not at once: the delay
    assert sim_s_at(ended.ts) > door.end_s
    assert ended.alarmed
    assert 4.0 < ended.worst_c < 8.0
    air = readings(inputs_of("door-left-open", ("F1-air",)), "F1-air")
    last_out = max(r.ts for r in air if r.value > 4.0)
    back = [r for r in air if last_out < r.ts <= ended.ts]
    assert back[-1].ts == ended.ts
    assert back[-1].value <= 3.5  # the end: back in band by the 0.5 °C deadband
    assert len(back) > 1  # in band but within the deadband first: no end yet
    assert all(3.5 < r.value <= 4.0 for r in back[:-1])


def test_defrost_is_tolerated() -> None:
    assert not only(band_run("defrost", "Z1"), ExcursionAlarmed)


def test_defrost_stays_out_of_band_less_than_the_freezer_delay() -> None:
    # docs/RULES.md tolerates a defrost rise while the milk stays frozen: the excursion is shorter
    # than the 20-minute delay, and the heater's thermostat (-12 °C) stops it under the
    # -10 °C gross limit, which would alarm at once.
    (ended,) = only(band_run("defrost", "Z1"), ExcursionEnded)
    assert ended.duration_s < 20 * MIN
    assert -13.0 < ended.worst_c < -10.0
    assert not ended.alarmed


def test_power_cut_alarms_once_the_fridge_has_been_warm_for_the_delay() -> None:
    cut = fault_of(scenario("power-cut"), FaultKind.POWER_CUT, "F1")
    events = band_run("power-cut", "F1")
    assert [type(e) for e in events] == [ExcursionStarted, ExcursionAlarmed, ExcursionEnded]
    started, alarmed, ended = events
    assert isinstance(started, ExcursionStarted)
    assert isinstance(alarmed, ExcursionAlarmed)
    assert isinstance(ended, ExcursionEnded)
    assert cut.start_s < sim_s_at(started.ts) < cut.end_s
    # Slow warm-up: never above the 8 °C gross limit, so the delay decides.
    assert alarmed.gross is False
    assert sim_s_at(alarmed.ts) == sim_s_at(started.ts) + 10 * MIN
    assert "for 0:10:00" in alarmed.reason
    assert 7.0 < ended.worst_c <= 8.0
    assert sim_s_at(ended.ts) > cut.end_s  # pulled down once the power came back


# -- tour of probe faults -------------------------------------------------------------------


TOUR = "faults-tour"


@pytest.mark.parametrize(("probe_id", "sentinel"), [("P1-bath", 3276.7), ("F1-air", -127.0)])
def test_open_circuit_answers_become_fault_readings(probe_id: str, sentinel: float) -> None:
    fault = fault_of(scenario(TOUR), FaultKind.PROBE_OPEN_CIRCUIT, probe_id)
    probe_readings = readings(inputs_of(TOUR, (probe_id,)), probe_id)
    faulty = [r for r in probe_readings if r.quality is Quality.FAULT]
    assert [sim_s_at(r.ts) for r in faulty] == [
        r for r in (sim_s_at(x.ts) for x in probe_readings) if fault.start_s <= r < fault.end_s
    ]
    assert len(faulty) == fault.duration_s / POLL_S
    assert all(r.raw == sentinel and not r.usable for r in faulty)
    assert faulty[0].detail == f"fault value {sentinel:g}"


@pytest.mark.parametrize(
    ("kind", "probe_id"),
    [(FaultKind.PROBE_NO_ANSWER, "P1-b1"), (FaultKind.PROBE_EXCEPTION, "P1-b2")],
)
def test_silent_answers_become_gaps(kind: FaultKind, probe_id: str) -> None:
    fault = fault_of(scenario(TOUR), kind, probe_id)
    inputs = inputs_of(TOUR, (probe_id,))
    stamps = [sim_s_at(r.ts) for r in readings(inputs, probe_id)]
    assert not [t for t in stamps if fault.start_s <= t < fault.end_s]
    assert fault.start_s - POLL_S in stamps
    assert fault.end_s in stamps
    ticks = [sim_s_at(i.ts) for i in inputs if isinstance(i, Tick)]
    assert all(t in ticks for t in (fault.start_s, fault.end_s - POLL_S))  # time still passes


def test_open_circuit_is_no_evidence_for_a_cycle_judged_on_the_bath() -> None:
    bath = fault_of(scenario(TOUR), FaultKind.PROBE_OPEN_CIRCUIT, "P1-bath")
    events = cycle_run(TOUR, probes=CycleProbes((), "P1-bath"))
    # Readings keep coming every 10 s, but 3276.7 proves nothing: the hold sees a probe
    # fault, silent as a gap...
    (fault,) = [
        e for e in only(events, HoldInterrupted) if bath.start_s <= sim_s_at(e.ts) < bath.end_s
    ]
    assert (fault.cause, fault.probe_id) == ("fault", "P1-bath")
    assert "probe P1-bath faulty (fault value 3276.7)" in fault.reason
    assert sim_s_at(fault.since_ts) == bath.start_s - POLL_S
    assert sim_s_at(fault.ts) == bath.start_s - POLL_S + GAP_LIMIT_S + POLL_S
    # ...and no overshoot: the sentinel is not a temperature above 66 °C.
    assert not only(events, OvershootStarted)


def test_open_circuit_is_no_evidence_for_a_fridge() -> None:
    sensor = fault_of(scenario(TOUR), FaultKind.PROBE_OPEN_CIRCUIT, "F1-air")
    spike = fault_of(scenario(TOUR), FaultKind.PROBE_SPIKE, "F1-air")
    band = band_of(scenario(TOUR), "F1")
    events = run(band, inputs_of(TOUR, ("F1-air",)))
    # -127 °C would be a gross low excursion: none is seen. The only excursion is the spike
    # (+25 °C for 20 s), a plausible value that the gross limit alarms at once.
    assert not [e for e in events if sensor.start_s <= sim_s_at(e.ts) < sensor.end_s]
    assert [type(e) for e in events] == [ExcursionStarted, ExcursionAlarmed, ExcursionEnded]
    assert all(spike.start_s <= sim_s_at(e.ts) <= spike.end_s for e in events)
    assert only(events, ExcursionAlarmed)[0].gross
    day = band.day_summary()
    assert day.min_c is not None
    assert day.min_c > 0.0


@pytest.mark.parametrize(("probe_id", "sentinel"), [("P1-bath", 3276.7), ("F1-air", -127.0)])
def test_probe_faults_raise_then_clear(probe_id: str, sentinel: float) -> None:
    fault = fault_of(scenario(TOUR), FaultKind.PROBE_OPEN_CIRCUIT, probe_id)
    events = health_run(TOUR, probe_id)
    raised, cleared = only(events, ProbeFaultRaised), only(events, ProbeFaultCleared)
    assert [(sim_s_at(e.ts), e.value_c) for e in raised] == [(fault.start_s, sentinel)]
    assert [sim_s_at(e.ts) for e in cleared] == [fault.end_s]
    assert cleared[0].value_c != sentinel


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        (FaultKind.PROBE_NO_ANSWER, "P1-b1"),
        (FaultKind.PROBE_EXCEPTION, "P1-b2"),
        (FaultKind.LINK_DOWN, "pasteuriser-1"),
        (FaultKind.LINK_DOWN, "mqtt"),
    ],
)
def test_silences_are_reported_stale_then_clear(kind: FaultKind, target: str) -> None:
    sc = scenario(TOUR)
    fault = fault_of(sc, kind, target)
    silent = (
        [target]
        if kind is not FaultKind.LINK_DOWN
        else [p.id for p in sc.probes if p.link == target]
    )
    assert silent
    for probe_id in silent:
        events = health_run(TOUR, probe_id)
        stale = [e for e in events if fault.start_s <= sim_s_at(e.ts) <= fault.end_s]
        assert [type(e) for e in stale] == [ProbeStaleRaised, ProbeStaleCleared], probe_id
        assert sim_s_at(stale[0].ts) == fault.start_s + 3 * POLL_S
        assert sim_s_at(stale[1].ts) == fault.end_s


@pytest.mark.parametrize(("stuck_after_s", "reported"), [(5 * MIN, True), (15 * MIN, False)])
def test_a_stuck_probe_is_reported_when_stuck_longer_than_the_limit(
    stuck_after_s: float, reported: bool
) -> None:
    fault = fault_of(scenario(TOUR), FaultKind.PROBE_STUCK, "Z1-air")  # 10 min
    for probe_id in scenario(TOUR).probe_ids():
        events = health_run(TOUR, probe_id, stuck_after_s)
        stuck = [e for e in events if isinstance(e, ProbeStuckRaised | ProbeStuckCleared)]
        if probe_id != "Z1-air" or not reported:
            assert not stuck, probe_id
            continue
        assert [type(e) for e in stuck] == [ProbeStuckRaised, ProbeStuckCleared]
        raised, cleared = stuck
        assert isinstance(raised, ProbeStuckRaised)
        assert sim_s_at(raised.since_ts) == fault.start_s
        assert sim_s_at(raised.ts) == fault.start_s + stuck_after_s
        assert sim_s_at(cleared.ts) == fault.end_s
        assert cleared.value_c != raised.value_c
