"""What waits in memory while the journal cannot be written: records and delivery marks.

Appends go to a batch that each commit empties (``writer``). While commits fail (the disk or
the journal's size limit is full, the disk fails or was turned read-only) the batch grows and
monitoring goes on. It is bounded by ``JournalOptions.buffer_bytes`` of memory, estimated per
row (``row_bytes``). Readings may fill three quarters of it; the last quarter is kept for
events (alarm transitions, notification attempts, verdicts, people's signatures), which are
few and say what happened and who was told, where readings are many and a gap in them is
named by the record below. A record that does not fit is never chained, so no chain gets a
hole and the journal still verifies: it is counted, with its stream and time, and once a
commit succeeds again a ``records_lost`` event of the ``device`` stream says how many records
were lost, of which streams, from when to when.

Each commit empties the batch; how long a record may wait for one depends on what is at stake
(``writer``): the batch notes when its oldest record and its oldest urgent record came.

A failed commit is retried after a delay that doubles from the commit interval up to
``RETRY_MAX_S``: each attempt writes the whole batch again, a fair share of a Pi's core with
a full buffer, and the delay is also how long the record waits once space is back.

Delivery marks (``outbox``) are held the same way (``storage.HeldMarks``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from monitor.journal.errors import JournalError
from monitor.journal.readings import READING
from monitor.journal.record import Fields, Record
from monitor.journal.rowcodec import Row, RowCodec
from monitor.journal.storage import JournalFile

RETRY_MAX_S = 10.0
# A row's tuple, integers, floats and hash as CPython 3.11 holds them, measured with
# tracemalloc on readings; the ``extra`` JSON text comes on top.
ROW_BYTES = 360
READINGS_SHARE = 0.75
MAX_NAMED_STREAMS = 100  # a records_lost event names at most this many streams


def row_bytes(row: Row) -> int:
    """The memory one pending row takes, estimated."""
    return ROW_BYTES + len(row[8] or "")


@dataclass(frozen=True, slots=True)
class BufferState:
    """What waits in memory, for the committer's alarm and ``lactamon status``."""

    pending_records: int
    pending_bytes: int
    limit_bytes: int
    readings_limit_bytes: int
    appended_bytes: int  # since the journal was opened, committed or not: the record's rate
    lost_records: int  # lost and not yet on record as ``records_lost``
    lost_since_ns: int | None
    failing_since: float | None  # ``time.monotonic()`` of the first of the failed commits
    last_error: str | None


@dataclass(slots=True)
class _Losses:
    records: int = 0
    readings: int = 0
    first_ts: int = 0
    last_ts: int = 0
    streams: dict[str, int] = field(default_factory=dict)

    def fields(self, limit_bytes: int) -> Fields:
        named = sorted(self.streams)[:MAX_NAMED_STREAMS]
        fields: Fields = {
            "records": self.records,
            "readings": self.readings,
            "events": self.records - self.readings,
            "streams": ",".join(named),
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "reason": f"the journal could not be written and {self.records} records did not "
            f"fit in the {limit_bytes // 1024} KiB memory buffer",
        }
        if len(self.streams) > len(named):
            fields["streams_not_named"] = len(self.streams) - len(named)
        return fields


class PendingBuffer:
    """The rows waiting for a commit, within a memory bound, and the records that did not fit."""

    def __init__(self, limit_bytes: int, first_retry_s: float) -> None:
        self.rows: list[Row] = []
        self.bytes = 0
        self.limit = limit_bytes
        self.readings_limit = int(limit_bytes * READINGS_SHARE)
        self.appended_bytes = 0
        self.failures = 0
        self.failing_since: float | None = None
        self.retry_at = 0.0
        self.last_commit = time.monotonic()
        # When the oldest waiting record, and the oldest urgent one, were added: the bounds
        # of what a crash may take are counted from there.
        self.oldest_at: float | None = None
        self.urgent_at: float | None = None
        self.last_error: JournalError | None = None
        self._first_retry_s = first_retry_s
        self._losses = _Losses()

    def admits(self, reading: bool) -> bool:
        return self.bytes < (self.readings_limit if reading else self.limit)

    def add(self, row: Row, urgent: bool) -> None:
        size = row_bytes(row)
        self.rows.append(row)
        self.bytes += size
        self.appended_bytes += size
        if self.oldest_at is None or (urgent and self.urgent_at is None):
            now = time.monotonic()
            if self.oldest_at is None:
                self.oldest_at = now
            if urgent and self.urgent_at is None:
                self.urgent_at = now

    def lose(self, stream: str, ts: int, kind: str, fields: Fields) -> Record:
        """A record that does not fit: counted for ``records_lost`` and never chained, so no
        chain gets a hole; it comes back with seq 0, a place in no chain."""
        losses = self._losses
        if not losses.records:
            losses.first_ts = losses.last_ts = ts
        losses.records += 1
        losses.readings += kind == READING
        losses.first_ts, losses.last_ts = min(losses.first_ts, ts), max(losses.last_ts, ts)
        losses.streams[stream] = losses.streams.get(stream, 0) + 1
        return Record(stream, 0, ts, kind, fields, b"")

    def take_losses(self) -> Fields | None:
        """The fields of the ``records_lost`` event owed, once; None when nothing was lost."""
        if not self._losses.records:
            return None
        fields = self._losses.fields(self.limit)
        self._losses = _Losses()
        return fields

    def commit(self, file: JournalFile, codec: RowCodec) -> int:
        """Commit every row to ``file``; on failure keep them, schedule the retry and raise
        the error, which stays in ``last_error`` until a commit succeeds."""
        rows = self.rows
        try:
            file.commit(codec, rows)
        except JournalError as exc:
            self.last_commit = time.monotonic()
            self.failures += 1
            if self.failing_since is None:
                self.failing_since = self.last_commit
            delay = self._first_retry_s * 2 ** min(self.failures - 1, 16)
            self.retry_at = self.last_commit + min(delay, RETRY_MAX_S)
            self.last_error = exc
            raise
        if rows:
            self.rows, self.bytes, self.last_error = [], 0, None
            self.failures, self.failing_since, self.retry_at = 0, None, 0.0
            self.oldest_at = self.urgent_at = None
        self.last_commit = time.monotonic()
        return len(rows)

    def retry_due(self, now: float) -> bool:
        return now >= self.retry_at

    def due(self, every_records: int, urgent_s: float, cold_s: float) -> bool:
        """Whether an append should commit: enough rows, or an urgent record waited
        ``urgent_s``, or any record ``cold_s``; and no retry waits."""
        now = time.monotonic()
        return self.retry_due(now) and (
            len(self.rows) >= every_records or self.waited(now, urgent_s, cold_s)
        )

    def waited(self, now: float, urgent_s: float, cold_s: float) -> bool:
        """Whether an urgent record waited ``urgent_s``, or any record ``cold_s``."""
        if self.urgent_at is not None and now - self.urgent_at >= urgent_s:
            return True
        return self.oldest_at is not None and now - self.oldest_at >= cold_s

    def cold_deadline(self, cold_s: float) -> float | None:
        """When the oldest record will have waited ``cold_s`` (not before a retry is due);
        None when nothing waits."""
        if self.oldest_at is None:
            return None
        return max(self.oldest_at + cold_s, self.retry_at)

    def state(self) -> BufferState:
        losses = self._losses
        return BufferState(
            pending_records=len(self.rows),
            pending_bytes=self.bytes,
            limit_bytes=self.limit,
            readings_limit_bytes=self.readings_limit,
            appended_bytes=self.appended_bytes,
            lost_records=losses.records,
            lost_since_ns=losses.first_ts if losses.records else None,
            failing_since=self.failing_since,
            last_error=None if self.last_error is None else str(self.last_error),
        )
