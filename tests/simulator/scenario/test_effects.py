"""What active faults do to model inputs and probe outputs, and which fault wins."""

from __future__ import annotations

from simulator.models.enclosure import EnclosureInputs
from simulator.models.pasteuriser import PasteuriserInputs
from simulator.models.probe import ProbeFaultKind, ProbeOutput
from simulator.scenario.effects import ProbeFaults, enclosure_inputs, pasteuriser_inputs
from simulator.scenario.spec import FaultKind, FaultSpec


def _fault(kind: FaultKind, **params: float) -> FaultSpec:
    return FaultSpec(start_s=0.0, duration_s=60.0, kind=kind, target="x", **params)


def test_no_fault_means_normal_inputs() -> None:
    assert pasteuriser_inputs([]) == PasteuriserInputs()
    assert enclosure_inputs([]) == EnclosureInputs()


def test_pasteuriser_faults_combine() -> None:
    inputs = pasteuriser_inputs(
        [
            _fault(FaultKind.HEATER_FAILURE),
            _fault(FaultKind.SLOW_COOLING, flow_fraction=0.5),
            _fault(FaultKind.SLOW_COOLING, flow_fraction=0.2, water_c=9.0),
        ]
    )
    assert inputs == PasteuriserInputs(
        heater_works=False, chilling_flow_fraction=0.2, chilled_water_c=9.0
    )


def test_enclosure_faults_combine() -> None:
    inputs = enclosure_inputs(
        [
            _fault(FaultKind.DOOR_OPEN, opening=0.1),
            _fault(FaultKind.DOOR_OPEN, opening=0.4),
            _fault(FaultKind.POWER_CUT),
        ]
    )
    assert inputs == EnclosureInputs(door_opening=0.4, powered=False)


def test_a_healthy_probe_reports_its_measurement() -> None:
    assert ProbeFaults().output(3.21, [], link_down=False) == ProbeOutput(3.21)


def test_silence_wins_over_every_other_fault() -> None:
    all_faults = [
        _fault(FaultKind.PROBE_SPIKE),
        _fault(FaultKind.PROBE_STUCK),
        _fault(FaultKind.PROBE_OPEN_CIRCUIT),
        _fault(FaultKind.PROBE_EXCEPTION),
        _fault(FaultKind.PROBE_NO_ANSWER),
    ]
    probe = ProbeFaults()
    assert probe.output(1.0, [], link_down=True).fault is ProbeFaultKind.NO_ANSWER
    expected = [
        ProbeOutput(None, ProbeFaultKind.NO_ANSWER),
        ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION),
        ProbeOutput(3276.7, ProbeFaultKind.OPEN_CIRCUIT),
        ProbeOutput(1.0),  # stuck at the value it had at its onset
        ProbeOutput(1.0 + 30.0),
    ]
    for n, output in zip(range(5, 0, -1), expected, strict=True):
        assert probe.output(1.0, all_faults[:n], link_down=False) == output


def test_stuck_holds_the_onset_value_or_the_given_one() -> None:
    probe = ProbeFaults()
    stuck = _fault(FaultKind.PROBE_STUCK)
    assert probe.output(4.5, [stuck], link_down=True).value_c is None
    assert probe.output(7.0, [stuck], link_down=False) == ProbeOutput(4.5)
    forced = _fault(FaultKind.PROBE_STUCK, value_c=85.0)
    assert probe.output(7.0, [forced], link_down=False) == ProbeOutput(85.0)
