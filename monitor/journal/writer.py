"""The journal writer: chains, signs and durably stores every record, first of anything.

Synchronous and fast, to be called from the service's event loop: an append hashes the record
and adds a row to an in-memory batch; the batch is committed (one transaction, one fsync) when
``flush()`` is called on the service's timer, when ``commit_interval_s`` has passed at an
append, or when ``commit_every_records`` rows wait. What a power cut can lose is therefore the
uncommitted batch: at most one commit interval of records.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType

from monitor.clock import Clock, SystemClock
from monitor.journal.canonical import canonical_bytes, chain_hash, genesis_hash
from monitor.journal.errors import (
    JournalClosedError,
    JournalError,
    JournalFullError,
    RecordError,
    StreamSealedError,
)
from monitor.journal.heads import StreamState, load_stream_state
from monitor.journal.keys import DeviceKey, public_key_raw
from monitor.journal.options import JournalOptions
from monitor.journal.outbox import OutboxMarks
from monitor.journal.readings import READING, reading_fields
from monitor.journal.record import (
    Fields,
    FieldValue,
    Record,
    check_kind,
    check_stream,
    check_ts,
    normalise_fields,
)
from monitor.journal.rowcodec import INSERT_RECORD, Row, RowCodec
from monitor.journal.schema import check_writable, lock_for_writing, open_for_writing, translate
from monitor.journal.session import previous_session
from monitor.journal.signing import CHECKPOINT, SEAL, signed_fields
from monitor.journal.streams import DEVICE_STREAM
from monitor.reading import Reading

JOURNAL_KINDS = frozenset(
    {CHECKPOINT, SEAL, "journal_opened", "journal_reopened", "journal_closed", "stream_damaged"}
)


class Journal:
    """The only writer of one journal file; open it once per process and ``close()`` it.

    Use it from one thread (the service's event loop): it is fast, not thread-safe.
    """

    def __init__(
        self,
        path: Path,
        key: DeviceKey,
        clock: Clock | None = None,
        options: JournalOptions | None = None,
    ) -> None:
        self.path, self.key = Path(path), key
        self.clock: Clock = clock or SystemClock()
        self.options = options or JournalOptions()
        check_writable(self.path)
        self._lock_fd = lock_for_writing(self.path)
        try:
            self._db = open_for_writing(self.path, self.options.max_bytes)
        except BaseException:
            os.close(self._lock_fd)
            raise
        self._closed = self._finished = False
        self._together = 0  # depth of ``together()`` blocks: no commit inside one
        self._batch: list[Row] = []
        self._streams: dict[str, StreamState] = {}
        self._unsigned: set[str] = set()
        self._last_commit = time.monotonic()
        self.last_error: JournalError | None = None
        self.outbox = OutboxMarks(self._db, self.path, self.clock)
        # Streams found altered in the file when first appended to (stream -> what was found);
        # each is also recorded as a ``stream_damaged`` event of the device stream.
        self.damaged_streams: dict[str, str] = {}
        try:
            try:
                self._codec = RowCodec(self._db)
                self.previous = previous_session(self._db, self._codec)
            except sqlite3.Error as exc:
                raise translate(exc, self.path, "open for writing") from None
            self._remember_key()
            self._append(DEVICE_STREAM, self.clock.now_ns(), *self.previous.opening_record())
            self.flush()
        except BaseException:
            self._db.close()
            os.close(self._lock_fd)
            raise

    # -- appending --------------------------------------------------------------------------

    def append_reading(
        self, stream: str, reading: Reading, tags: Mapping[str, FieldValue | None] | None = None
    ) -> Record:
        """Chain a probe reading (see ``readings.reading_fields`` for its fields)."""
        return self._append(stream, check_ts(reading.ts), READING, reading_fields(reading, tags))

    def append_event(
        self, stream: str, kind: str, fields: Mapping[str, FieldValue | None], ts: int | None = None
    ) -> Record:
        """Chain an event; ``ts`` defaults to now. People's signatures are events too."""
        if check_kind(kind) in JOURNAL_KINDS:
            raise RecordError(f"{kind} records are written by the journal itself")
        stamp = self.clock.now_ns() if ts is None else check_ts(ts)
        return self._append(stream, stamp, kind, normalise_fields(fields))

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Records appended inside are committed by one commit: a reading and the events it
        caused reach the disk together, so a crash cannot keep the cause without its
        consequences. ``flush()`` still commits at once."""
        self._together += 1
        try:
            yield
        finally:
            self._together -= 1
            if not self._together and self._commit_due():
                self._flush_quietly()

    def checkpoint(self, stream: str) -> Record | None:
        """Sign the head of ``stream`` now; None if nothing was added since the last signature."""
        state = self._state(stream)
        return self._sign(state, CHECKPOINT, {}) if state.unsigned else None

    def seal(self, stream: str, reason: str = "") -> Record:
        """Close ``stream`` for good with a signed seal; later appends raise StreamSealedError."""
        state = self._state(stream)
        if state.sealed:
            raise StreamSealedError(f"{stream} is already sealed")
        return self._sign(state, SEAL, normalise_fields({"reason": reason or None}))

    def is_sealed(self, stream: str) -> bool:
        return self._state(stream).sealed

    def head(self, stream: str) -> tuple[int, bytes]:
        """(seq, hash) of the last record of ``stream``, pending ones included: (0, genesis)."""
        if stream not in self._streams and stream not in self._codec.streams.by_text:
            # Asking must not create: a stream named here would be listed with no record.
            if self._closed or self._finished:
                raise JournalClosedError(f"{self.path}: the journal is closed")
            return 0, genesis_hash(check_stream(stream))
        state = self._state(stream)
        return state.seq, state.hash

    @property
    def pending(self) -> int:
        """Records appended but not yet committed."""
        return len(self._batch)

    def _append(self, stream: str, ts: int, kind: str, fields: Fields) -> Record:
        state = self._state(stream)
        if state.sealed:
            raise StreamSealedError(f"{stream} is sealed: nothing may be appended to it")
        if len(self._batch) >= self.options.max_pending_records:
            raise JournalFullError(
                f"{self.path}: {len(self._batch)} records wait for a commit that keeps failing "
                f"({self.last_error}); this record was not taken"
            )
        seq = state.seq + 1
        digest = chain_hash(state.hash, canonical_bytes(stream, seq, ts, kind, fields))
        self._batch.append(self._codec.encode(state.stream_id, seq, ts, kind, fields, digest))
        record = Record(stream, seq, ts, kind, fields, digest, state.hash)
        state.seq, state.hash = seq, digest
        if kind in (SEAL, CHECKPOINT):
            state.unsigned = 0
            state.sealed = kind == SEAL
            self._unsigned.discard(stream)
        else:
            if not state.unsigned:
                state.unsigned_since = self.clock.monotonic()
                self._unsigned.add(stream)
            state.unsigned += 1
            if state.unsigned >= self.options.checkpoint_every_records:
                self._sign(state, CHECKPOINT, {})
        if not self._together and self._commit_due():
            self._flush_quietly()
        return record

    def _commit_due(self) -> bool:
        return (
            len(self._batch) >= self.options.commit_every_records
            or time.monotonic() - self._last_commit >= self.options.commit_interval_s
        )

    def _sign(self, state: StreamState, kind: str, extra: Fields) -> Record:
        ts = self.clock.now_ns()
        fields = signed_fields(self.key, state.name, state.seq + 1, ts, kind, state.hash, extra)
        return self._append(state.name, ts, kind, fields)

    def _state(self, stream: str) -> StreamState:
        if self._closed or self._finished:
            raise JournalClosedError(f"{self.path}: the journal is closed")
        state = self._streams.get(stream)
        if state is None:
            check_stream(stream)
            try:
                state = load_stream_state(
                    self._db, self._codec, stream, self.key, self.clock.monotonic()
                )
            except sqlite3.Error as exc:
                raise translate(exc, self.path, f"read stream {stream}") from None
            self._streams[stream] = state
            if state.unsigned:
                self._unsigned.add(stream)
            if state.problem is not None:
                self.damaged_streams[stream] = state.problem
                fields: Fields = {"stream": stream, "problem": state.problem}
                self._append(DEVICE_STREAM, self.clock.now_ns(), "stream_damaged", fields)
        return state

    # -- committing -------------------------------------------------------------------------

    def flush(self) -> int:
        """Sign streams whose oldest unsigned record is older than ``checkpoint_every_s``, then
        commit the batch; returns the number of records committed.

        On failure (disk full, I/O error) the batch stays pending for the next flush and the
        error is raised.
        """
        self._checkpoint_due()
        if not self._batch:
            self._last_commit = time.monotonic()
            return 0
        rows, db = self._batch, self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            self._codec.streams.insert_pending(db)
            self._codec.symbols.insert_pending(db)
            db.executemany(INSERT_RECORD, rows)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._last_commit = time.monotonic()  # retry at the next interval, not every append
            self.last_error = translate(exc, self.path, f"commit {len(rows)} records")
            raise self.last_error from None
        self._codec.streams.committed()
        self._codec.symbols.committed()
        self._batch = []
        self._last_commit = time.monotonic()
        self.last_error = None
        return len(rows)

    def _flush_quietly(self) -> None:
        # A failed commit at an append is kept in last_error and raised by the next flush():
        # the record itself is in the batch, so the append did not fail.
        with contextlib.suppress(JournalError):
            self.flush()

    def _checkpoint_due(self) -> None:
        now = self.clock.monotonic()
        limit = self.options.checkpoint_every_s
        for stream in sorted(self._unsigned):
            state = self._streams[stream]
            if state.unsigned and now - state.unsigned_since >= limit:
                self._sign(state, CHECKPOINT, {})

    # -- sessions ---------------------------------------------------------------------------

    @property
    def previous_session_clean(self) -> bool | None:
        """Whether the last session closed cleanly; None for a journal created just now."""
        return self.previous.clean

    def finish(self) -> None:
        """Record a clean shutdown, sign every stream's head and commit, keeping the file open
        so the last records can still be delivered and marked sent; nothing may be appended
        after it. ``close()`` finishes first when this was not called."""
        if self._finished:
            return
        self._append(DEVICE_STREAM, self.clock.now_ns(), "journal_closed", {})
        for stream in sorted(self._unsigned):
            self._sign(self._streams[stream], CHECKPOINT, {})
        self.flush()
        self._finished = True

    def close(self) -> None:
        """Finish (see ``finish``) and close."""
        if self._closed:
            return
        try:
            self.finish()
        finally:
            self._closed = True
            self._db.close()
            os.close(self._lock_fd)  # after SQLite closed: closing it earlier drops its locks

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _remember_key(self) -> None:
        """Keep the public key in the file, for exports; verifiers still need a trusted copy."""
        try:
            self._db.execute(
                "INSERT OR IGNORE INTO device_keys (key_id, public_key, added_ns) VALUES (?, ?, ?)",
                (self.key.key_id, public_key_raw(self.key.public), self.clock.now_ns()),
            )
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "store the device key") from None
