"""What a driver hands its results to: readings, and changes of a probe's availability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from monitor.reading import Reading


@dataclass(frozen=True, slots=True)
class AvailabilityChange:
    """A probe became unavailable (with the reason) or available again, at ``ts`` (UTC ns)."""

    probe_id: str
    ts: int
    available: bool
    reason: str


class ReadingSink(Protocol):
    """Receives everything a driver produces; must not block (the pipeline queues it)."""

    def reading(self, reading: Reading) -> None: ...

    def availability(self, change: AvailabilityChange) -> None: ...


class CollectingSink:
    """A sink that keeps everything in lists: for tests, the simulator check and the CLI."""

    def __init__(self) -> None:
        self.readings: list[Reading] = []
        self.changes: list[AvailabilityChange] = []

    def reading(self, reading: Reading) -> None:
        self.readings.append(reading)

    def availability(self, change: AvailabilityChange) -> None:
        self.changes.append(change)

    def for_probe(self, probe_id: str) -> list[Reading]:
        return [r for r in self.readings if r.probe_id == probe_id]
