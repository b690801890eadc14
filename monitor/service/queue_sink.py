"""The drivers' sink in the daemon: everything goes into one queue the pipeline drains."""

from __future__ import annotations

import asyncio
import logging

from drivers.sink import AvailabilityChange
from monitor.reading import Reading

log = logging.getLogger(__name__)
Item = Reading | AvailabilityChange


class QueueSink:
    """Never blocks a driver; a full queue (the pipeline stalled) drops with one log line.

    The bound keeps memory finite on a Pi whose disk stalls; the journal's own watchdog
    stops the daemon long before a healthy lab fills it (~100k items).
    """

    def __init__(self, maxsize: int = 100_000) -> None:
        self.queue: asyncio.Queue[Item] = asyncio.Queue(maxsize)
        self.dropped = 0

    def reading(self, reading: Reading) -> None:
        self._put(reading)

    def availability(self, change: AvailabilityChange) -> None:
        self._put(change)

    def _put(self, item: Item) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            if not self.dropped:
                log.error("pipeline queue full: readings are being dropped")
            self.dropped += 1
