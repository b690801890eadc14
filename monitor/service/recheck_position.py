"""Where the journal's continuous re-check stands, kept beside the journal across restarts.

A small JSON file, ``<journal>.recheck``: the last row checked, the passes completed and
when the pass began. It is a convenience, not a record: lost or unreadable, the next pass
starts at row 1; a row beyond the journal's last (a journal put in its place) ends the pass
at once and the next one starts over. Written whole to a temporary file and renamed, so a
power cut leaves the old position or the new one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from monitor.journal.recheck import RecheckProgress

log = logging.getLogger(__name__)


class RecheckPosition:
    """Loads and saves the re-check's position for the journal at ``journal_path``."""

    def __init__(self, journal_path: Path) -> None:
        self.path = Path(journal_path).with_name(Path(journal_path).name + ".recheck")

    def load(self, progress: RecheckProgress) -> int:
        """The row to go on from (0: from the start); the progress takes back its counts."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            row, passes = int(data["row"]), int(data["passes_completed"])
            started = data.get("pass_started_ns")
        except FileNotFoundError:
            return 0
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("re-check position %s not usable (%s): starting a new pass", self.path,
                        exc)  # fmt: skip
            return 0
        if row < 0 or passes < 0:
            return 0
        progress.passes_completed = passes
        progress.pass_started_ns = started if isinstance(started, int) else None
        progress.row_reached = row
        return row

    def save(self, row: int, progress: RecheckProgress) -> None:
        data = {"row": row, "passes_completed": progress.passes_completed,
                "pass_started_ns": progress.pass_started_ns}  # fmt: skip
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:  # a full disk: the position is a convenience
            log.warning("re-check position not saved (%s)", exc)
            with contextlib.suppress(OSError):
                temporary.unlink()
