"""Each scripted probe and link fault does what it says at its time, and stops after it."""

from __future__ import annotations

import pytest

from simulator.lab import ProbeFaultKind
from simulator.scenario import FaultKind, FaultSpec
from tests.simulator.recording import Recording, recording


@pytest.fixture(scope="module")
def tour() -> Recording:
    return recording("faults-tour")


def _fault(rec: Recording, kind: FaultKind, target: str) -> FaultSpec:
    return next(f for f in rec.scenario.faults if f.kind is kind and f.target == target)


def _split(rec: Recording, probe: str, fault: FaultSpec) -> tuple[list[int], list[int]]:
    """Sample indexes inside the fault's window and in the minute after it."""
    inside = [i for i, t in enumerate(rec.times) if fault.active_at(t)]
    after = [i for i, t in enumerate(rec.times) if fault.end_s <= t < fault.end_s + 60]
    assert inside
    assert after
    return inside, after


def _healthy(rec: Recording, probe: str, indexes: list[int]) -> None:
    for i in indexes:
        out = rec.outputs[probe][i]
        assert out.fault is None
        assert out.value_c is not None
        assert out.value_c == pytest.approx(rec.true[probe][i], abs=0.3)


def test_probe_no_answer(tour: Recording) -> None:
    fault = _fault(tour, FaultKind.PROBE_NO_ANSWER, "P1-b1")
    inside, after = _split(tour, "P1-b1", fault)
    for i in inside:
        out = tour.outputs["P1-b1"][i]
        assert out.value_c is None
        assert out.fault is ProbeFaultKind.NO_ANSWER
    _healthy(tour, "P1-b1", after)


def test_probe_device_exception(tour: Recording) -> None:
    fault = _fault(tour, FaultKind.PROBE_EXCEPTION, "P1-b2")
    inside, after = _split(tour, "P1-b2", fault)
    for i in inside:
        out = tour.outputs["P1-b2"][i]
        assert out.value_c is None
        assert out.fault is ProbeFaultKind.DEVICE_EXCEPTION
    _healthy(tour, "P1-b2", after)


@pytest.mark.parametrize(("probe", "sentinel"), [("P1-bath", 3276.7), ("F1-air", -127.0)])
def test_probe_open_circuit(tour: Recording, probe: str, sentinel: float) -> None:
    fault = _fault(tour, FaultKind.PROBE_OPEN_CIRCUIT, probe)
    inside, after = _split(tour, probe, fault)
    for i in inside:
        out = tour.outputs[probe][i]
        assert out.value_c == sentinel
        assert out.fault is ProbeFaultKind.OPEN_CIRCUIT
    _healthy(tour, probe, after)


def test_probe_stuck_repeats_the_value_at_the_onset(tour: Recording) -> None:
    fault = _fault(tour, FaultKind.PROBE_STUCK, "Z1-air")
    inside, after = _split(tour, "Z1-air", fault)
    held = {tour.outputs["Z1-air"][i].value_c for i in inside}
    assert len(held) == 1
    (value,) = held
    assert value == pytest.approx(tour.true["Z1-air"][inside[0]], abs=0.3)
    truth = [tour.true["Z1-air"][i] for i in inside]
    assert max(truth) - min(truth) > 1.0  # the freezer kept cycling underneath
    assert all(tour.outputs["Z1-air"][i].fault is None for i in inside)
    _healthy(tour, "Z1-air", after)


def test_probe_spike_adds_its_delta_for_its_duration(tour: Recording) -> None:
    fault = _fault(tour, FaultKind.PROBE_SPIKE, "F1-air")
    inside, after = _split(tour, "F1-air", fault)
    assert len(inside) == 20
    for i in inside:
        value = tour.outputs["F1-air"][i].value_c
        assert value == pytest.approx(tour.true["F1-air"][i] + fault.delta_c, abs=0.3)
    _healthy(tour, "F1-air", after)


@pytest.mark.parametrize("link", ["pasteuriser-1", "mqtt"])
def test_link_down_silences_every_probe_behind_it(tour: Recording, link: str) -> None:
    fault = _fault(tour, FaultKind.LINK_DOWN, link)
    behind = [p.id for p in tour.scenario.probes if p.link == link]
    others = [p.id for p in tour.scenario.probes if p.link != link]
    inside, after = _split(tour, behind[0], fault)
    assert not any(tour.links[link][i] for i in inside)
    assert all(tour.links[link][i] for i in after)
    for probe in behind:
        assert all(tour.outputs[probe][i].fault is ProbeFaultKind.NO_ANSWER for i in inside)
        _healthy(tour, probe, after)
    for probe in others:
        _healthy(tour, probe, inside)


def test_faults_leave_the_physics_alone(tour: Recording) -> None:
    fault = _fault(tour, FaultKind.PROBE_OPEN_CIRCUIT, "P1-bath")
    inside, _ = _split(tour, "P1-bath", fault)
    assert all(55.0 < tour.true["P1-bath"][i] < 66.0 for i in inside)
