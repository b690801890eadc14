"""The drivers' sink in the daemon: everything goes into one queue the pipeline drains.

Drivers never wait: a reading, a change of availability or a watermark is appended, and what
waits is handed to the pipeline in batches, in order, at the event loop's next step (a
callback, not a task woken for each item: at thousands of readings a second the wake-ups
would cost more than the journal). Nothing normally waits long: the MQTT driver hands on
each message as it reads it, so a backlog stays in the broker, whose queue is sized for it.

The bound keeps memory finite when the pipeline cannot keep up with what arrives anyway (a
stalled disk, a flood from a local bus): past ``max_readings`` waiting, readings are shed,
never silently: each is counted (``take_shed``), and the pipeline records the count and
raises the overload alarm (docs/RULES.md, F9). Changes of availability and watermarks are few
and say what the readings mean: they are always kept.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.sink import AvailabilityChange, Watermark
from monitor.reading import Reading

log = logging.getLogger(__name__)
Item = Reading | AvailabilityChange | Watermark
MAX_READINGS = 100_000  # about 10 MB of readings
BATCH = 500


@dataclass
class Shed:
    """Readings shed since the pipeline last asked: how many, when, and of which probes."""

    count: int = 0
    first_ts: int = 0
    last_ts: int = 0
    probes: Counter[str] = field(default_factory=Counter)


class QueueSink:
    """Never blocks a driver; see the module docstring."""

    def __init__(self, max_readings: int = MAX_READINGS) -> None:
        self.max_readings = max_readings
        self.shed_total = 0
        self._items: deque[Item] = deque()
        self._readings = 0
        self._shed: Shed | None = None
        self._process: Callable[[list[Item]], None] | None = None
        self._scheduled = False
        self._failed: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context = contextvars.copy_context()

    def __len__(self) -> int:
        return len(self._items)

    def reading(self, reading: Reading) -> None:
        if self._readings >= self.max_readings:
            self._note_shed(reading)
            return
        self._readings += 1
        self._put(reading)

    def availability(self, change: AvailabilityChange) -> None:
        self._put(change)

    def watermark(self, mark: Watermark) -> None:
        self._put(mark)

    def _put(self, item: Item) -> None:
        self._items.append(item)
        if self._process is not None and not self._scheduled:
            self._schedule()

    def _schedule(self) -> None:
        assert self._loop is not None
        self._scheduled = True
        # One context for every call: copying the caller's for each would cost more.
        self._loop.call_soon(self._drain, context=self._context)

    def _note_shed(self, reading: Reading) -> None:
        shed = self._shed
        if shed is None:
            shed = self._shed = Shed(first_ts=reading.ts)
            if not self.shed_total:
                log.error("pipeline queue full: readings are shed, counted and recorded")
        shed.count += 1
        shed.last_ts = reading.ts
        shed.probes[reading.probe_id] += 1
        self.shed_total += 1

    async def run(self, process: Callable[[list[Item]], None]) -> None:
        """Hand what arrives to ``process``, in batches of at most ``BATCH``, until
        cancelled; what ``process`` raises ends this with that error (the daemon stops)."""
        self._loop = loop = asyncio.get_running_loop()
        self._context = contextvars.copy_context()
        self._failed = failed = loop.create_future()
        self._process = process
        if self._items:
            self._schedule()
        try:
            await failed
        finally:
            self._process = None

    def _drain(self) -> None:
        self._scheduled = False
        process = self._process
        if process is None:
            return
        try:
            process(self.take_nowait(BATCH))
        except Exception as exc:
            self._process = None
            if self._failed is not None and not self._failed.done():
                self._failed.set_exception(exc)
            return
        if self._items:  # more than a batch: the rest after whatever else is due
            self._schedule()

    def take_nowait(self, most: int = BATCH) -> list[Item]:
        items = self._items
        batch = [items.popleft() for _ in range(min(most, len(items)))]
        self._readings -= sum(1 for item in batch if isinstance(item, Reading))
        return batch

    def oldest_ts(self) -> int | None:
        """When the oldest item waiting was received (a watermark: when it was read back)."""
        if not self._items:
            return None
        item = self._items[0]
        return item.received_ns if isinstance(item, Watermark) else item.ts

    def take_shed(self) -> Shed | None:
        """What was shed since the last call, once."""
        shed, self._shed = self._shed, None
        return shed
