"""Reading the journal for a page: what the daemon appended flushed first, then the reading
done in a worker thread with a reader of its own, so the event loop (and every probe on it)
never waits for SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from monitor.journal import JournalError, JournalReader
from monitor.service.facade import ServiceFacade

T = TypeVar("T")


async def read_journal(service: ServiceFacade, read: Callable[[JournalReader], T]) -> T:
    journal = service.pipeline.journal
    # a full disk: the page shows what is on disk; the disk alarm says the rest
    with suppress(JournalError):
        journal.flush()
    path = journal.path

    def run() -> T:
        with JournalReader(path) as reader, reader.snapshot():
            return read(reader)

    return await asyncio.to_thread(run)
