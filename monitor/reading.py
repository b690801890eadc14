"""One measured value of one probe, with its quality: the unit everything downstream consumes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Quality(StrEnum):
    """How far a reading can be trusted.

    ``ok``: a plausible value inside the probe's measuring range.
    ``out_of_range``: plausible, but outside the range the probe is rated to measure.
    ``fault``: physically impossible (open circuit, sentinel, NaN) or a driver fault;
    the value must never count as evidence.
    ``suspect``: plausible, but it jumped from the probe's previous reading by more than the
    probe's ``max_step_c`` (a loose probe, a wrong unit); ``detail`` names the jump.
    """

    OK = "ok"
    OUT_OF_RANGE = "out_of_range"
    FAULT = "fault"
    SUSPECT = "suspect"


@dataclass(frozen=True, slots=True)
class Reading:
    """A probe value at a UTC instant.

    ``ts`` is UTC time in integer nanoseconds since the Unix epoch: integers survive every
    round trip (SQLite, InfluxDB line protocol, JSON) bit for bit, floats do not.
    ``value`` is in °C after the calibration offset; ``raw`` is what the device sent.
    """

    probe_id: str
    ts: int
    value: float
    quality: Quality
    raw: float | None = None
    detail: str = ""

    @property
    def usable(self) -> bool:
        """True when the value may count as evidence (fresh data proves nothing if faulty)."""
        return self.quality is not Quality.FAULT and math.isfinite(self.value)
