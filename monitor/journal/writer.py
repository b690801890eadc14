"""The journal writer: chains, signs and durably stores every record, first of anything.

Synchronous and fast, to be called from the service's event loop: an append hashes the record
and adds a row to an in-memory batch; the batch is committed (one transaction, one fsync) by
the service's timer (``commit_when_due``), by ``flush()``, or at an append once a bound below
is passed or ``commit_every_records`` rows wait. What a power cut can lose is the uncommitted
batch, bounded by what is at stake: an urgent record (every event, alarms and verdicts among
them, and every record of a running cycle's stream) waits at most ``commit_interval_s``; any
other (the cold chain's readings, an idle pasteuriser's) at most ``cold_commit_interval_s``,
except in the first ``cold_commit_interval_s`` after the journal opens, when everything is
urgent: the first readings after a start reach the disk, and InfluxDB, within a second,
for a few more commits at most. Each commit rewrites the pages it touches, so fewer, larger
commits wear an SD card less.

While commits fail the records wait in a bounded buffer and appends go on (``buffer``); when
the file leaves its path, ``rescue`` carries on in a copy saved beside it (``storage``).
What it has not signed yet is checked when it opens, and damage named before it is signed
over (``stream_book``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from monitor.clock import Clock, SystemClock, to_beat
from monitor.journal.buffer import BufferState, PendingBuffer
from monitor.journal.canonical import canonical_bytes, chain_hash, genesis_hash
from monitor.journal.errors import (
    JournalClosedError,
    JournalError,
    JournalFullError,
    RecordError,
    StreamSealedError,
)
from monitor.journal.heads import StreamState
from monitor.journal.keys import DeviceKey
from monitor.journal.options import JournalOptions
from monitor.journal.readings import READING, reading_fields
from monitor.journal.recheck import RecheckProgress
from monitor.journal.record import (
    Fields,
    FieldValue,
    Record,
    check_kind,
    check_stream,
    check_ts,
    normalise_fields,
)
from monitor.journal.rowcodec import RowCodec
from monitor.journal.schema import translate
from monitor.journal.session import previous_session
from monitor.journal.signing import CHECKPOINT, JOURNAL_KINDS, SEAL, signed_fields
from monitor.journal.storage import JournalFile
from monitor.journal.stream_book import Damage, StreamBook
from monitor.journal.streams import DEVICE_STREAM, StreamKind, stream_prefix
from monitor.reading import Reading

_CYCLE_PREFIX = stream_prefix(StreamKind.CYCLE)
# A checkpoint signs records of its stream: it is as urgent as they are.
_NOT_EVENTS = frozenset({READING, CHECKPOINT})
TIMER_SLACK_S = 0.01  # a timer may wake this much before a bound and still commit for it
MIN_PAUSE_S = 0.05


def urgent(stream: str, kind: str) -> bool:
    """Whether a record must reach the disk within ``commit_interval_s``: an event (an
    alarm's transition, a verdict, a person's act), or anything of a running cycle."""
    return kind not in _NOT_EVENTS or stream.startswith(_CYCLE_PREFIX)


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
        self.key = key
        self.clock: Clock = clock or SystemClock()
        self.options = options or JournalOptions()
        # The open file; ``file.problem()`` says if its path lost it, ``file.space()`` its room.
        self.file = JournalFile(Path(path), self.options.max_bytes, self.clock)
        self.outbox = self.file.marks
        self._closed = self._finished = self._closing = False
        self._together = 0  # depth of ``together()`` blocks: no commit inside one
        self._buffer = PendingBuffer(self.options.buffer_bytes, self.options.commit_interval_s)
        # Real time, as every commit bound: the disk's pace is not the simulation's.
        self._warm_until = time.monotonic() + self.options.cold_commit_interval_s
        self.recheck = RecheckProgress()  # the continuous re-check's, for ``lactamon status``
        self.commits = 0  # commits that stored records: a follower reads only after one
        try:
            try:
                self._codec = RowCodec(self.file.db)
                self.previous = previous_session(self.file.db, self._codec)
                self.previous_session_clean = self.previous.clean  # None: a new journal
            except sqlite3.Error as exc:
                raise translate(exc, self.path, "open for writing") from None
            self._book = StreamBook(key, self.clock.monotonic, self.previous.closed)
            self.damaged_streams = self._book.damaged  # each also a ``stream_damaged`` record
            self.file.remember_key(self.key, self.clock.now_ns())
            found = self._book.open_check(self.file, self._codec)
            self._append(DEVICE_STREAM, self.clock.now_ns(), *self.previous.opening_record())
            self.note_damage(*found)
            self.flush()
        except BaseException:
            self.file.release()
            raise

    @property
    def path(self) -> Path:
        """The file written to: the configured path, or the copy a ``rescue`` saved."""
        return self.file.path

    @property
    def last_error(self) -> JournalError | None:
        """Why the last commit failed, until one succeeds."""
        return self._buffer.last_error

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
        if not self._book.known(stream, self._codec):
            # Asking must not create: a stream named here would be listed with no record.
            if self._closed or self._finished:
                raise JournalClosedError(f"{self.path}: the journal is closed")
            return 0, genesis_hash(check_stream(stream))
        state = self._state(stream)
        return state.seq, state.hash

    @property
    def pending(self) -> int:
        """Records appended but not yet committed."""
        return len(self._buffer.rows)

    def buffer_state(self) -> BufferState:
        """What waits in memory and what was lost, while commits fail (``buffer``)."""
        return self._buffer.state()

    def _append(self, stream: str, ts: int, kind: str, fields: Fields) -> Record:
        if not self._buffer.admits(kind == READING):
            if self._closed or self._finished:
                raise JournalClosedError(f"{self.path}: the journal is closed")
            return self._buffer.lose(check_stream(stream), ts, kind, fields)
        state = self._state(stream)
        if state.sealed:
            raise StreamSealedError(f"{stream} is sealed: nothing may be appended to it")
        if self.pending >= self.options.max_pending_records:
            raise JournalFullError(
                f"{self.path}: {self.pending} records wait for a commit that keeps failing "
                f"({self.last_error}); this record was not taken"
            )
        seq = state.seq + 1
        digest = chain_hash(state.hash, canonical_bytes(stream, seq, ts, kind, fields))
        row = self._codec.encode(state.stream_id, seq, ts, kind, fields, digest)
        self._buffer.add(row, urgent(stream, kind) or time.monotonic() < self._warm_until)
        record = Record(stream, seq, ts, kind, fields, digest, state.hash)
        state.seq, state.hash = seq, digest
        every = self.options.checkpoint_every_records
        if self._book.appended(state, kind, self.clock.monotonic(), every):
            self._sign(state, CHECKPOINT, {})
        if not self._together and self._commit_due():
            self._flush_quietly()
        return record

    def _commit_due(self) -> bool:
        options = self.options
        return self._buffer.due(
            options.commit_every_records, options.commit_interval_s, options.cold_commit_interval_s
        )

    def _sign_all(self, states: list[StreamState]) -> None:
        """A checkpoint on each of ``states`` still unsigned, committed by the caller: a
        commit due at one of them would flush, and sign the rest, inside this loop."""
        self._together += 1
        try:
            for state in states:
                if state.unsigned:
                    self._sign(state, CHECKPOINT, {})
        finally:
            self._together -= 1

    def _sign(self, state: StreamState, kind: str, extra: Fields) -> Record:
        ts = self.clock.now_ns()
        fields = signed_fields(self.key, state.name, state.seq + 1, ts, kind, state.hash, extra)
        return self._append(state.name, ts, kind, fields)

    def _state(self, stream: str) -> StreamState:
        if self._closed or self._finished:
            raise JournalClosedError(f"{self.path}: the journal is closed")
        state = self._book.states.get(stream)
        if state is None:
            state = self._book.load(self.file, self._codec, check_stream(stream))
            self.note_damage(*self._book.damage_of([state]))
        return state

    def note_damage(self, *found: Damage) -> None:
        """Name damage found in the file in ``stream_damaged`` records (``StreamBook.notes``)."""
        for where, fields in self._book.notes(found):
            self._append(where, self.clock.now_ns(), "stream_damaged", fields)

    # -- committing -------------------------------------------------------------------------

    def flush(self) -> int:
        """Sign streams whose oldest unsigned record is older than ``checkpoint_every_s``, then
        commit the batch; returns the number of records committed.

        On failure (disk full, I/O error) the batch stays pending, the error is raised and kept
        in ``last_error``, and commits at appends wait for the retry delay (``buffer``); the
        first commit that succeeds after records were lost appends ``records_lost``."""
        self._sign_all(self._book.due(self.clock.monotonic(), self.options.checkpoint_every_s))
        count = self._buffer.commit(self.file, self._codec)
        losses = self._buffer.take_losses()
        if losses is not None:
            self._append(DEVICE_STREAM, self.clock.now_ns(), "records_lost", losses)
            count += self._buffer.commit(self.file, self._codec)
        self.commits += count > 0
        return count

    @property
    def urgent_since(self) -> float | None:
        """``time.monotonic()`` when the oldest urgent record waiting was appended, or None."""
        return self._buffer.urgent_at

    def commit_when_due(self) -> bool:
        """The service's timer, at most ``commit_interval_s`` apart (``next_commit_in``):
        ``flush()`` when an urgent record waits, or when the oldest record has waited
        ``cold_commit_interval_s``; not while a failed commit waits for its retry, and without
        raising a failed commit (``last_error`` has it). True when nothing waits."""
        buffer, now = self._buffer, time.monotonic()
        cold_s = self.options.cold_commit_interval_s - TIMER_SLACK_S
        due = buffer.urgent_at is not None or buffer.waited(now, cold_s, cold_s)
        if due and buffer.retry_due(now):
            try:
                self.flush()
            except JournalError as exc:
                if exc is not self.last_error:
                    raise
        return not self.pending

    def next_commit_in(self) -> float:
        """How long the timer may sleep before ``commit_when_due``: to the next beat of
        ``commit_interval_s`` (``to_beat``), so an urgent record appended meanwhile waits no
        longer, or less when the oldest record's cold bound (or a retry) comes sooner."""
        interval = to_beat(time.monotonic(), self.options.commit_interval_s)
        deadline = self._buffer.cold_deadline(self.options.cold_commit_interval_s)
        if deadline is None:
            return interval
        return max(MIN_PAUSE_S, min(interval, deadline - time.monotonic()))

    def _flush_quietly(self) -> None:
        # A failed commit at an append is kept in last_error and raised by the next flush():
        # the record itself is in the batch, so the append did not fail.
        with contextlib.suppress(JournalError):
            self.flush()

    # -- sessions ---------------------------------------------------------------------------

    def finish(self) -> None:
        """Record a clean shutdown, sign every stream's head and commit, keeping the file open
        so the last records can still be delivered and marked sent; nothing may be appended
        after it. ``close()`` finishes first when this was not called."""
        if self._finished:
            return
        if not self._closing:  # once, though a failed commit makes the caller try again
            if self._buffer.state().lost_records:  # ``records_lost`` goes before the close
                self.flush()
            self._append(DEVICE_STREAM, self.clock.now_ns(), "journal_closed", {})
            self._closing = True
        self._sign_all(self._book.waiting())
        self.flush()
        self._finished = True

    def close(self) -> None:
        """Finish (see ``finish``) and close."""
        if self._closed:
            return
        try:
            self.finish()
        finally:
            self._closed = self.outbox.closed = True
            self.file.close(self.clock.now_ns())

    def rescue(self) -> Path:
        """Save what the file holds beside its configured path (SQLite's online backup) and
        carry on in that copy, whose path it returns; a file now at the path is left alone.
        ``JournalError`` when the copy cannot be made: nothing changed then."""
        problem = self.file.problem() or "in place"
        self._flush_quietly()
        left, target = self.file.rescue(self.clock.now_ns())
        fields: Fields = {"problem": problem, "from_path": str(left), "to_path": str(target)}
        self._append(DEVICE_STREAM, self.clock.now_ns(), "journal_rescued", fields)
        self._flush_quietly()
        return target

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
