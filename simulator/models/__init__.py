"""Pure, deterministic physical models of the lab: pasteuriser, fridge, freezer and probes.

No sockets and no clock: every model moves only when stepped, and draws randomness only from
the ``random.Random`` instance it is given.
"""

from simulator.models.defrost import DefrostParams
from simulator.models.enclosure import (
    EnclosureInputs,
    EnclosureModel,
    EnclosureParams,
    EnclosureStatus,
)
from simulator.models.pasteuriser import (
    PasteuriserInputs,
    PasteuriserModel,
    PasteuriserParams,
    PasteuriserPhase,
    PasteuriserStatus,
)
from simulator.models.probe import ProbeChannel, ProbeCharacter, ProbeFaultKind, ProbeOutput

__all__ = [
    "DefrostParams",
    "EnclosureInputs",
    "EnclosureModel",
    "EnclosureParams",
    "EnclosureStatus",
    "PasteuriserInputs",
    "PasteuriserModel",
    "PasteuriserParams",
    "PasteuriserPhase",
    "PasteuriserStatus",
    "ProbeChannel",
    "ProbeCharacter",
    "ProbeFaultKind",
    "ProbeOutput",
]
