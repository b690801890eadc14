"""Room kept in reserve beside the journal, so that a daemon can start on a full disk.

SQLite must create the journal's ``-wal`` and ``-shm`` files to open it, and a full SD card
refuses them: the daemon could not start, and a Pi rebooted with a full card would monitor
nothing. So a reserve file of a few MiB is kept beside the journal while there is room; when
the journal cannot be opened for want of room, the reserve is given back and the open tried
again. The records then wait in memory (``buffer``) with the ``journal:disk`` alarm up, as
when the disk fills under a running daemon; the reserve is made again at a start with room.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from monitor.journal.errors import JournalError
from monitor.journal.storage import waits_for_the_disk

log = logging.getLogger(__name__)

T = TypeVar("T")
RESERVE_BYTES = 2 * 2**20
_CHUNK = 64 * 1024


class DiskReserve:
    """The reserve file ``<journal>.reserve``."""

    def __init__(self, journal_path: Path, size: int = RESERVE_BYTES) -> None:
        self.path = Path(journal_path).with_name(Path(journal_path).name + ".reserve")
        self.size = size

    def keep(self) -> bool:
        """Make the reserve if it is missing and the disk has twice its size free."""
        try:
            if self.path.exists() and self.path.stat().st_size >= self.size:
                return True
            found = os.statvfs(self.path.parent)
            if found.f_bavail * found.f_frsize < 2 * self.size:
                return False
            # Written, not truncated to size: a sparse file would reserve nothing.
            with self.path.open("wb") as out:
                for _ in range(self.size // _CHUNK):
                    out.write(b"\0" * _CHUNK)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            log.warning("no room kept in reserve beside the journal (%s)", exc)
            with contextlib.suppress(OSError):
                self.path.unlink()
            return False
        return True

    def release(self) -> bool:
        """Give the reserve's room back; whether there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.error("the reserve beside the journal cannot be removed (%s)", exc)
            return False
        log.warning("the disk is full: the room kept in reserve is given to the journal")
        return True


def open_with_reserve(open_journal: Callable[[], T], journal_path: Path) -> tuple[T, bool]:
    """``open_journal()``, given the reserve's room if the disk is too full to open it (then
    the second value is True); the reserve is made (again) when there is room."""
    reserve = DiskReserve(journal_path)
    try:
        opened = open_journal()
    except JournalError as exc:
        if not waits_for_the_disk(exc) or not reserve.release():
            raise
        log.warning("the journal could not be opened (%s): trying again in the reserve's room",
                    exc)  # fmt: skip
        return open_journal(), True
    reserve.keep()
    return opened, False
