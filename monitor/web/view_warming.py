"""Sealed cycles' views written to disk before anyone asks for them, so that the first person
to open a finished cycle's page is served from its file, not by a child reading the cycle.

In the background, one child at a time: each cycle as it closes (the pipeline's ``closed``,
looked at every ``WATCH_S``), and once, ``START_DELAY_S`` after the start, the ``AT_START``
most recent sealed cycles that lack a valid file (cycles closed while the daemon was down, a
journal written by another program). The task is the web application's: started with it,
cancelled with it, its child killed then. A cycle it cannot read is logged and left to its
first view.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web

from monitor.clock import sleep_to_beat
from monitor.errors import NotFound
from monitor.journal import JournalError, JournalReader
from monitor.journal.journal_kinds import SEAL
from monitor.journal.streams import StreamKind, parse_stream
from monitor.service.facade import ServiceFacade
from monitor.web.cycle_views import CycleViews, Head, ViewFailed, cycle_head
from monitor.web.journal_reads import read_journal

log = logging.getLogger(__name__)
# Real seconds after the start before the first child: the drivers connect and the first
# readings are judged first (the daemon's own start-up grace is 2 s).
START_DELAY_S = 5.0
WATCH_S = 1.0
AT_START = 8  # as many as the views kept in memory: the cycles people look at in turn


class ViewWarmer:
    """Writes the views of sealed cycles to ``views.files``; ``running`` is its lifetime."""

    def __init__(self, service: ServiceFacade, views: CycleViews) -> None:
        self.service = service
        self.views = views

    async def running(self, app: web.Application) -> AsyncIterator[None]:
        """For ``app.cleanup_ctx``: the task runs while the application does."""
        task = asyncio.create_task(self._run(), name="cycle-view-warmer")
        try:
            yield
        finally:
            task.cancel()
            # Waited for, never raised: the daemon's stop goes on to close the journal.
            await asyncio.wait([task])
            if not task.cancelled() and task.exception() is not None:
                log.error("cycle views: the writing ahead had stopped", exc_info=task.exception())

    async def _run(self) -> None:
        pipeline = self.service.pipeline
        seen = {c.stream for c in pipeline.closed}  # closed before: the start's round has them
        loop = asyncio.get_running_loop()
        start_round_at: float | None = loop.time() + START_DELAY_S
        while True:
            closed = [c.stream for c in pipeline.closed]
            for cycle in closed:
                if cycle not in seen:
                    await self._warm(cycle, None)
            seen = set(closed)
            if start_round_at is not None and loop.time() >= start_round_at:
                start_round_at = None
                await self._start_round()
            await sleep_to_beat(WATCH_S)

    async def _start_round(self) -> None:
        running = {c.stream for c in self.service.pipeline.cycles.values()}
        try:
            recent = await read_journal(self.service, lambda r: recent_sealed(r, running, AT_START))
        except JournalError as exc:
            log.warning("cycle views: the recent cycles were not listed: %s", exc)
            return
        except Exception:  # the closes are still watched, and the pages served
            log.exception("cycle views: the recent cycles were not listed")
            return
        for cycle, head in recent:
            await self._warm(cycle, head)

    async def _warm(self, cycle: str, head: Head | None) -> None:
        try:
            if head is None:
                head = await read_journal(self.service, lambda r: cycle_head(r, cycle))
            await self.views.warm(self.service.pipeline.journal.path, cycle, head)
        except (NotFound, ViewFailed, JournalError) as exc:
            log.warning("cycle views: %s not written ahead: %s", cycle, exc)
        except Exception:  # a fault here must not end the warming of the next cycles
            log.exception("cycle views: %s not written ahead", cycle)


def recent_sealed(reader: JournalReader, running: set[str], count: int) -> list[tuple[str, Head]]:
    """The ``count`` sealed cycles started last, with their heads, the latest first."""
    starts: list[tuple[datetime, str]] = []
    for name in reader.stream_names():
        parsed = parse_stream(name)
        if parsed.kind is StreamKind.CYCLE and parsed.start is not None and name not in running:
            starts.append((parsed.start, name))
    found: list[tuple[str, Head]] = []
    for _, name in sorted(starts, reverse=True):
        head, seal = reader.stream_head(name), reader.last_of_kind(name, SEAL)
        if head is not None and seal is not None and seal[1].seq == head[0]:
            found.append((name, head))
            if len(found) == count:
                break
    return found
