"""What a probe reports: the true temperature plus noise, offset and resolution, or a fault."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum


class ProbeFaultKind(StrEnum):
    """How a faulty probe shows itself; each protocol front-end emulates it its own way.

    ``no_answer``: nothing comes back (Modbus timeout, silent MQTT topic, no serial line).
    ``device_exception``: the device answers with an error (Modbus exception response).
    ``open_circuit``: a value comes back, but it is the device's sentinel for a broken sensor
    (3276.7 on many Modbus PT100 transmitters, -127 on a DS18B20).
    """

    NO_ANSWER = "no_answer"
    DEVICE_EXCEPTION = "device_exception"
    OPEN_CIRCUIT = "open_circuit"


@dataclass(frozen=True, slots=True)
class ProbeOutput:
    """One probe's answer: a value in °C, or ``None`` with the fault that replaced it.

    An open circuit carries its sentinel value *and* the fault, as the device would send it.
    """

    value_c: float | None
    fault: ProbeFaultKind | None = None


@dataclass(frozen=True, slots=True)
class ProbeCharacter:
    """How one probe deviates from the truth.

    ``sigma_c``: standard deviation of its Gaussian noise. ``resolution_c``: the step of its
    readout (0 for none). ``offset_c``: its calibration error, added to every value.
    """

    sigma_c: float = 0.03
    resolution_c: float = 0.01
    offset_c: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma_c) and self.sigma_c >= 0):
            raise ValueError(f"noise sigma must be >= 0 °C, got {self.sigma_c!r}")
        if not (math.isfinite(self.resolution_c) and self.resolution_c >= 0):
            raise ValueError(f"resolution must be >= 0 °C, got {self.resolution_c!r}")
        if not math.isfinite(self.offset_c):
            raise ValueError(f"offset must be finite, got {self.offset_c!r}")


class ProbeChannel:
    """Turns true temperatures into measured ones, drawing noise from its own seeded RNG."""

    def __init__(self, character: ProbeCharacter, rng: random.Random) -> None:
        self._character = character
        self._rng = rng

    @property
    def character(self) -> ProbeCharacter:
        return self._character

    def measure(self, true_c: float) -> float:
        """A fresh noisy, offset and quantised reading of ``true_c``."""
        c = self._character
        value = true_c + c.offset_c + self._rng.gauss(0.0, c.sigma_c)
        return quantise(value, c.resolution_c)


def quantise(value: float, resolution: float) -> float:
    """Round ``value`` to the nearest multiple of ``resolution`` (unchanged when it is 0)."""
    if resolution == 0:
        return value
    # Rounding to 10 decimals hides the binary remainder of e.g. 631 * 0.1.
    return round(round(value / resolution) * resolution, 10)
