"""What the faults active at an instant do: model inputs and the probe outputs they replace.

When several faults hit one probe at once the most complete silence wins: a down link or a
probe that does not answer, then a device exception, an open circuit, a stuck value, a spike.
"""

from __future__ import annotations

from collections.abc import Iterable

from simulator.models.enclosure import NORMAL_INPUTS as NORMAL_ENCLOSURE
from simulator.models.enclosure import EnclosureInputs
from simulator.models.pasteuriser import NORMAL_INPUTS as NORMAL_PASTEURISER
from simulator.models.pasteuriser import PasteuriserInputs
from simulator.models.probe import ProbeFaultKind, ProbeOutput
from simulator.scenario.spec import FaultKind, FaultSpec

NO_ANSWER = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
DEVICE_EXCEPTION = ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION)


def pasteuriser_inputs(active: Iterable[FaultSpec]) -> PasteuriserInputs:
    """The inputs for a pasteuriser, given the faults active on it now."""
    heater_works = True
    flow = 1.0
    water_c: float | None = None
    for fault in active:
        if fault.kind is FaultKind.HEATER_FAILURE:
            heater_works = False
        elif fault.kind is FaultKind.SLOW_COOLING:
            flow = min(flow, fault.flow_fraction)
            if fault.water_c is not None:
                water_c = fault.water_c if water_c is None else max(water_c, fault.water_c)
    if heater_works and flow == 1.0 and water_c is None:
        return NORMAL_PASTEURISER
    return PasteuriserInputs(heater_works, flow, water_c)


def enclosure_inputs(active: Iterable[FaultSpec]) -> EnclosureInputs:
    """The inputs for a fridge or freezer, given the faults active on it now."""
    opening = 0.0
    powered = True
    for fault in active:
        if fault.kind is FaultKind.DOOR_OPEN:
            opening = max(opening, fault.opening)
        elif fault.kind is FaultKind.POWER_CUT:
            powered = False
    if opening == 0.0 and powered:
        return NORMAL_ENCLOSURE
    return EnclosureInputs(opening, powered)


class ProbeFaults:
    """Applies probe faults to one probe's measured values, remembering its stuck values."""

    def __init__(self) -> None:
        self._held: dict[FaultSpec, float] = {}

    def output(self, measured_c: float, active: list[FaultSpec], link_down: bool) -> ProbeOutput:
        """What the probe answers, given its measured value and the faults active on it now."""
        if not active and not link_down:
            return ProbeOutput(measured_c)
        by_kind = {fault.kind: fault for fault in active}
        stuck = by_kind.get(FaultKind.PROBE_STUCK)
        if stuck is not None and stuck not in self._held:
            # Held from the onset even if something else hides it at that moment.
            self._held[stuck] = measured_c if stuck.value_c is None else stuck.value_c
        if link_down or FaultKind.PROBE_NO_ANSWER in by_kind:
            return NO_ANSWER
        if FaultKind.PROBE_EXCEPTION in by_kind:
            return DEVICE_EXCEPTION
        open_circuit = by_kind.get(FaultKind.PROBE_OPEN_CIRCUIT)
        if open_circuit is not None:
            return ProbeOutput(open_circuit.sentinel_c, ProbeFaultKind.OPEN_CIRCUIT)
        if stuck is not None:
            return ProbeOutput(self._held[stuck])
        spike = by_kind.get(FaultKind.PROBE_SPIKE)
        if spike is not None:
            return ProbeOutput(measured_c + spike.delta_c)
        return ProbeOutput(measured_c)
