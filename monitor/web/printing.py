"""PDFs for the pages, made by a short-lived child process, never by the daemon itself.

Laying out a dossier takes seconds of CPU and loads reportlab, and the memory a layout
takes (its fonts, its flowables) a long-running process does not give back: a child does it
and exits, so the event loop (every probe on it) never waits, and the memory goes with it.
One PDF at a time per daemon: a Pi has two cores, and the readings come first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from monitor.errors import Refused
from monitor.web.child_run import run_python

log = logging.getLogger(__name__)
PRINT_S = 120.0  # a month of sheets or a dossier takes seconds; beyond this, it is stuck


class PrintFailed(Exception):
    """The child did not write the PDF; the message says why (its last words)."""


async def run_child(
    turn: asyncio.Semaphore,
    args: Sequence[str],
    out: Path,
    stdin: bytes = b"",
    ok_codes: Sequence[int] = (0,),
) -> int:
    """Run ``python -m <args>`` once ``turn`` lets it; its exit code once it wrote ``out``
    (``PrintFailed`` otherwise, ``Refused`` when it took longer than ``PRINT_S``)."""
    async with turn:
        try:
            code, _, err = await run_python(args, PRINT_S, stdin, capture=False)
        except TimeoutError:
            raise Refused(f"the PDF was not made within {PRINT_S:g} s: try again later") from None
    if code not in ok_codes or not await asyncio.to_thread(out.is_file):
        words = err.decode("utf-8", "replace").strip().splitlines()
        log.error("PDF child %s exited %s: %s", " ".join(args[:2]), code, words[-3:])
        raise PrintFailed(words[-1] if words else f"the PDF maker exited with code {code}")
    return code
