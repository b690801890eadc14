"""A cycle's page read once: its events and its curve, read by a child process and kept while
the cycle's stream has the same head; a sealed cycle's also kept on disk, signed.

A cycle of 90 minutes read every second on three probes is 16,200 records: a fifth of a
second to read and draw, and some 14 MB of objects at once, which a long-running process
keeps in its resident set once it has held them (Python gives back only memory left wholly
free). A child reads them (``cycle_view_child``) and exits, and that memory goes with it;
the daemon keeps what the page shows: the events (a few dozen records) and the curve as
JSON (tens of kB). A stream only grows, and its head (the last seq and that record's hash)
names all it holds: while the head is the same, so are the events and the curve. A finished
cycle is sealed and its head never moves again: its view goes to a signed file
(``view_files``), where a first view finds it, in this run or after a restart, in a few
milliseconds. A running cycle's head moves every second, and its page is read afresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from pathlib import Path

from monitor.errors import NotFound
from monitor.journal import JournalReader
from monitor.journal.streams import StreamKind, parse_stream
from monitor.web.child_run import run_python
from monitor.web.view_files import ViewFiles
from monitor.web.view_format import CycleView as CycleView
from monitor.web.view_format import Head as Head
from monitor.web.view_format import decode_view

log = logging.getLogger(__name__)
ENTRIES = 8  # the cycles people look at in turn: today's, and the few a lot links to
VIEW_S = 60.0  # a cycle is read in well under a second; beyond this, the child is stuck


class ViewFailed(Exception):
    """The child did not read the cycle; the message says why (its last words)."""


def cycle_head(reader: JournalReader, cycle: str) -> Head:
    """The head of the cycle's stream; ``NotFound`` for no such cycle."""
    head = reader.stream_head(cycle)
    # Parsed once the journal holds the stream: the name is then a valid one.
    if head is None or parse_stream(cycle).kind is not StreamKind.CYCLE:
        raise NotFound(f"no cycle {cycle!r} in the journal")
    return head


class CycleViews:
    """The views of the last ``entries`` cycles read, each under its stream's head; with
    ``files``, sealed cycles' views read from and written to disk too."""

    def __init__(self, entries: int = ENTRIES, files: ViewFiles | None = None) -> None:
        self._entries = entries
        self.files = files
        self._kept: OrderedDict[tuple[Path, str], CycleView] = OrderedDict()

    async def view(self, journal: Path, cycle: str, head: Head) -> CycleView:
        """The view of ``cycle`` as it stands at ``head`` (``cycle_head``), or later."""
        key = (journal, cycle)
        kept = self._kept.get(key)
        if kept is None or kept.head != head:
            kept = await self._from_file(cycle, head)
            if kept is None:
                kept = await self._from_child(journal, cycle)
            self._kept[key] = kept
        self._kept.move_to_end(key)
        while len(self._kept) > self._entries:
            self._kept.popitem(last=False)
        return kept

    async def warm(self, journal: Path, cycle: str, head: Head) -> bool:
        """Have the view of a sealed ``cycle`` on disk, not in memory (what nobody asked for
        stays out of the daemon's resident set); whether a child read it."""
        if self.files is None or await self._from_file(cycle, head) is not None:
            return False
        await self._from_child(journal, cycle)
        return True

    async def _from_file(self, cycle: str, head: Head) -> CycleView | None:
        if self.files is None:
            return None
        # A worker thread: the event loop (and every probe on it) never waits for the disk.
        return await asyncio.to_thread(self.files.load, cycle, head)

    async def _from_child(self, journal: Path, cycle: str) -> CycleView:
        view = await read_in_child(journal, cycle)
        if self.files is not None and view.sealed:
            await asyncio.to_thread(self.files.save, cycle, view)
        return view


async def read_in_child(journal: Path, cycle: str) -> CycleView:
    try:
        code, out, err = await run_python(
            ["monitor.web.cycle_view_child", str(journal), cycle], VIEW_S
        )
    except TimeoutError:
        raise ViewFailed(f"the cycle was not read within {VIEW_S:g} s") from None
    if code != 0:
        words = err.decode("utf-8", "replace").strip().splitlines()
        log.error("cycle view child exited %s: %s", code, words[-3:])
        raise ViewFailed(words[-1] if words else f"the cycle reader exited {code}")
    try:
        return decode_view(cycle, out)
    except ValueError as exc:
        log.error("cycle view child printed no view of %s: %s", cycle, exc)
        raise ViewFailed(f"the cycle reader printed no view ({exc})") from None
