"""How far each sink (InfluxDB, …) has received the journal: the one mutable table.

Row ids of ``records`` are stable and never reused, so "sent up to row id N" per sink is all
an outbox needs to resume after a restart or an outage. The marks hold no evidence.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.clock import Clock
from monitor.journal.schema import translate


class OutboxMarks:
    """Per-sink delivery marks in the journal file."""

    def __init__(self, db: sqlite3.Connection, path: Path, clock: Clock) -> None:
        self._db, self._path, self._clock = db, path, clock

    def mark_sent(self, sink: str, up_to_id: int) -> None:
        """Remember that ``sink`` holds every record with a row id up to ``up_to_id``."""
        try:
            self._db.execute(
                "INSERT INTO outbox (sink, sent_up_to, updated_ns) VALUES (?, ?, ?) "
                "ON CONFLICT (sink) DO UPDATE SET sent_up_to = excluded.sent_up_to, "
                "updated_ns = excluded.updated_ns",
                (sink, up_to_id, self._clock.now_ns()),
            )
        except sqlite3.Error as exc:
            raise translate(exc, self._path, f"mark {sink} sent") from None

    def sent_up_to(self, sink: str) -> int:
        """The highest row id ``sink`` holds, 0 before its first delivery."""
        try:
            found = self._db.execute(
                "SELECT sent_up_to FROM outbox WHERE sink = ?", (sink,)
            ).fetchone()
        except sqlite3.Error as exc:
            raise translate(exc, self._path, f"read how far {sink} got") from None
        return int(found[0]) if found else 0
