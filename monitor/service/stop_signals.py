"""SIGTERM and SIGINT turned into a clean stop from the daemon's very first instant.

The supervisor installs its own handlers once every part runs; before that, while the
journal is opened and replayed, a signal must still end with the journal closed cleanly
rather than with a kill the next start would record as a crash.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable


def catch_stop_signals(stop: Callable[[str], None]) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    caught = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop, f"signal {sig.name}")
        except (RuntimeError, ValueError):  # not the main thread: the caller handles signals
            continue
        caught.append(sig)
    return caught


def release_stop_signals(caught: list[signal.Signals]) -> None:
    loop = asyncio.get_running_loop()
    for sig in caught:
        loop.remove_signal_handler(sig)
