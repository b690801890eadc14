"""What a driver hands its results to: readings, changes of a probe's availability, watermarks."""

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


@dataclass(frozen=True, slots=True)
class Watermark:
    """A marker the driver sent itself through its link at ``sent_ns`` came back at
    ``received_ns``, ``delay_s`` real seconds later: everything the link held for it before
    ``sent_ns`` was handed on before this. ``lost`` markers sent before it never came back
    (the broker dropped them, and with them messages meant for this unit); ``session``
    numbers the driver's connections."""

    source: str
    session: int
    sent_ns: int
    received_ns: int
    delay_s: float = 0.0
    lost: int = 0


class ReadingSink(Protocol):
    """Receives everything a driver produces; must not block (the pipeline queues it)."""

    def reading(self, reading: Reading) -> None: ...

    def availability(self, change: AvailabilityChange) -> None: ...

    def watermark(self, mark: Watermark) -> None: ...


class CollectingSink:
    """A sink that keeps everything in lists: for tests, the simulator check and the CLI."""

    def __init__(self) -> None:
        self.readings: list[Reading] = []
        self.changes: list[AvailabilityChange] = []
        self.watermarks: list[Watermark] = []

    def reading(self, reading: Reading) -> None:
        self.readings.append(reading)

    def availability(self, change: AvailabilityChange) -> None:
        self.changes.append(change)

    def watermark(self, mark: Watermark) -> None:
        self.watermarks.append(mark)

    def for_probe(self, probe_id: str) -> list[Reading]:
        return [r for r in self.readings if r.probe_id == probe_id]
