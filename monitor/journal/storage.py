"""The writer's file on disk: its connection, lock and delivery marks, whether its path still
holds it, how much room is left, and a rescued copy of it when the path lost it.

The writer keeps a descriptor of the file it opened (its lock). ``file_problem`` compares
that file (``os.fstat``: device, inode, link count) with what the path names now
(``os.stat``): a link count of 0 means the file was deleted; another device or inode at the
path, that it was moved away or replaced. SQLite in WAL mode goes on committing to a deleted
file without a word, and everything recorded since would vanish with the process.

``save_copy`` writes what an open connection holds, its WAL included, with SQLite's online
backup to a new file beside the path, ``<name>.rescued-<UTC time>Z`` (never over an existing
file, never through the path itself); ``JournalFile.rescue`` then carries on in that copy
(service/journal_watch.py says why), and ``close`` saves one if the file left its path and
was not rescued yet. A file found at the path is never opened: it is not this writer's.
SQLite itself leaves it alone too: a connection whose file has moved neither checkpoints
into it nor deletes the WAL beside it when it closes. The backup runs on the caller's thread
and reads the whole file: seconds for a year of records on an SSD, more on an SD card, while
the event loop waits.

Delivery marks (``HeldMarks``) wait in memory and are written in the transaction of the next
commit of records, and at the close: a mark written alone would cost a sync of its own, every
few seconds for each sink, for a position that only saves a sink from receiving again, after
a crash, what it already holds (its writes are idempotent). A sink reads its mark only when it
starts.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from monitor.clock import Clock, ns_to_datetime
from monitor.journal.errors import (
    JournalClosedError,
    JournalError,
    JournalFullError,
    JournalReadOnlyError,
)
from monitor.journal.keys import DeviceKey, public_key_raw
from monitor.journal.outbox import OutboxMarks
from monitor.journal.rowcodec import INSERT_RECORD, Row, RowCodec
from monitor.journal.schema import check_writable, lock_for_writing, open_for_writing, translate

log = logging.getLogger(__name__)
RESCUED = ".rescued-"
_BESIDE = ("", "-wal", "-shm", "-journal")  # a database's file and SQLite's files beside it


@dataclass(frozen=True, slots=True)
class Space:
    """How big the journal is and how much more it may take, in bytes."""

    used_bytes: int  # the database's pages, committed WAL frames included
    room_bytes: int  # free space of its folder, or what its size limit leaves if smaller


def waits_for_the_disk(exc: JournalError) -> bool:
    """A failure that retrying later may cure: full, read-only, or an I/O error."""
    return isinstance(exc, JournalFullError | JournalReadOnlyError) or type(exc) is JournalError


def file_problem(path: Path, held_fd: int) -> str | None:
    """What happened to the file open as ``held_fd`` that ``path`` named; None if nothing."""
    try:
        held = os.fstat(held_fd)
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    try:
        found: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        return f"cannot be reached at its path ({exc.strerror})"
    if held.st_nlink == 0:
        return "deleted" if found is None else "deleted, and another file put at its path"
    if found is None:
        return "moved away from its path"
    if (found.st_dev, found.st_ino) != (held.st_dev, held.st_ino):
        return "moved away, and another file put at its path"
    return None


def rescue_target(configured: Path, now_ns: int) -> Path:
    """A new name beside ``configured`` for its rescued copy, free with SQLite's own files."""
    stamp = ns_to_datetime(now_ns).strftime("%Y%m%dT%H%M%SZ")
    base = f"{configured.name}{RESCUED}{stamp}"
    number = 1
    while True:
        candidate = configured.with_name(base if number == 1 else f"{base}-{number}")
        if not any(Path(f"{candidate}{suffix}").exists() for suffix in _BESIDE):
            return candidate
        number += 1


def save_copy(db: sqlite3.Connection, configured: Path, now_ns: int) -> Path:
    """Write what ``db`` holds to a new file beside ``configured``: made whole or not at all."""
    target = rescue_target(configured, now_ns)
    try:
        # A copy that cannot fit is not tried: each try would fill the disk, then be deleted.
        needed = measure_space(db, configured, None)
        if needed.room_bytes < needed.used_bytes:
            raise JournalFullError(
                f"{target}: cannot save a copy of the journal: it needs {needed.used_bytes} "
                f"bytes and {needed.room_bytes} are free"
            )
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        try:
            copy = sqlite3.connect(target, isolation_level=None)
            try:
                db.backup(copy)
            finally:
                copy.close()
            _sync_directory(target.parent)
        except BaseException:
            for suffix in _BESIDE:  # all made here just now: nobody else's
                with suppress(FileNotFoundError):
                    os.unlink(f"{target}{suffix}")
            raise
    except sqlite3.Error as exc:
        raise translate(exc, target, "save a copy of the journal") from None
    except OSError as exc:
        raise JournalError(f"{target}: cannot save a copy of the journal ({exc})") from None
    return target


def _save_at_close(
    db: sqlite3.Connection, path: Path, problem: str, configured: Path, now_ns: int
) -> None:
    try:
        target = save_copy(db, configured, now_ns)
    except JournalError as exc:
        log.error("journal %s was %s, and saving it failed: %s", path, problem, exc)
    else:
        log.warning("journal %s was %s: everything it held is saved in %s", path, problem, target)


def measure_space(db: sqlite3.Connection, path: Path, max_bytes: int | None) -> Space:
    """The journal's size and the room it has left (``os.statvfs`` of its folder)."""
    try:
        pages = int(db.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
        found = os.statvfs(path.parent)
    except sqlite3.Error as exc:
        raise translate(exc, path, "measure the journal") from None
    except OSError as exc:
        raise JournalError(f"{path}: cannot measure the free space ({exc.strerror})") from None
    used = pages * page_size
    room = found.f_bavail * found.f_frsize
    if max_bytes is not None:
        room = min(room, max(0, max_bytes - used))
    return Space(used, room)


class JournalFile:
    """The writer's open file: its connection, its lock, its delivery marks, and its path,
    which moves to a rescued copy when the file leaves it (``rescue``)."""

    def __init__(self, path: Path, max_bytes: int | None, clock: Clock) -> None:
        check_writable(path)
        self.lock_fd = lock_for_writing(path)
        try:
            self.db = open_for_writing(path, max_bytes)
        except BaseException:
            os.close(self.lock_fd)
            raise
        self.path = self.configured_path = path
        self.max_bytes = max_bytes
        self.marks = HeldMarks(self.db, path, clock)
        # The write-ahead log's identity, taken at its first check: it lasts as long as this
        # connection (SQLite empties it at checkpoints, never deletes it while open).
        self._wal_identity: tuple[int, int] | None = None

    def commit(self, codec: RowCodec | None, rows: list[Row]) -> None:
        """One transaction: the new streams and symbols, then ``rows``, then the delivery
        marks that wait (also with no rows); nothing on failure, the marks waiting on."""
        marks = dict(self.marks.held)
        if not rows and not marks:
            return
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            if codec is not None and rows:
                codec.streams.insert_pending(db)
                codec.symbols.insert_pending(db)
                db.executemany(INSERT_RECORD, rows)
            self.marks.write(marks)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise translate(exc, self.path, f"commit {len(rows)} records") from None
        except JournalError:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        if codec is not None and rows:
            codec.streams.committed()
            codec.symbols.committed()
        self.marks.written(marks)

    def remember_key(self, key: DeviceKey, now_ns: int) -> None:
        """Keep the public key in the file, for exports; verifiers still need a trusted copy."""
        try:
            self.db.execute(
                "INSERT OR IGNORE INTO device_keys (key_id, public_key, added_ns) VALUES (?, ?, ?)",
                (key.key_id, public_key_raw(key.public), now_ns),
            )
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "store the device key") from None

    def problem(self) -> str | None:
        return file_problem(self.path, self.lock_fd) or self._wal_problem()

    def _wal_problem(self) -> str | None:
        """The write-ahead log deleted or replaced: what it holds since the last checkpoint
        is then only in the open descriptor, gone at a crash, and unseen by new readers."""
        wal = Path(f"{self.path}-wal")
        try:
            found = os.stat(wal)
        except FileNotFoundError:
            if self._wal_identity is None:
                return None  # not made yet: nothing committed since the file was opened
            return "its write-ahead log (-wal) was deleted"
        except OSError:
            return None  # unreadable is the path's own check's to say
        identity = (found.st_dev, found.st_ino)
        if self._wal_identity is None:
            self._wal_identity = identity
            return None
        if identity != self._wal_identity:
            return "its write-ahead log (-wal) was deleted, and another put in its place"
        return None

    def space(self) -> Space:
        return measure_space(self.db, self.path, self.max_bytes)

    def rescue(self, now_ns: int) -> tuple[Path, Path]:
        """``save_copy``, then carry on in the copy: (the path left, the copy's path)."""
        target = save_copy(self.db, self.configured_path, now_ns)
        lock = lock_for_writing(target)
        try:
            db = open_for_writing(target, self.max_bytes)
        except BaseException:
            os.close(lock)
            raise
        left = self.path
        self.release()
        self.db, self.lock_fd, self.path = db, lock, target
        self.marks.rebind(db, target)
        self._wal_identity = None  # the copy's own log, from its first check
        return left, target

    def close(self, now_ns: int) -> None:
        """Close, with the delivery marks that wait; first, if the file left its path, save
        what it holds beside it."""
        try:
            self._write_marks()
            problem = self.problem()
            if problem is not None:
                _save_at_close(self.db, self.path, problem, self.configured_path, now_ns)
        finally:
            self.release()

    def _write_marks(self) -> None:
        if not self.marks.held:
            return
        try:
            self.commit(None, [])
        except JournalError as exc:  # what is lost is a position: a sink receives again
            log.warning("journal %s: delivery marks not written at the close: %s", self.path, exc)

    def release(self) -> None:
        self.db.close()
        os.close(self.lock_fd)  # after SQLite closed: closing it earlier drops its locks


class HeldMarks:
    """``OutboxMarks`` kept in memory until the next commit (``JournalFile.commit``) writes
    them, and again while the file cannot take them."""

    def __init__(self, db: sqlite3.Connection, path: Path, clock: Clock) -> None:
        self._clock = clock
        self._marks = OutboxMarks(db, path, clock)
        self.held: dict[str, int] = {}
        self.closed = False

    def rebind(self, db: sqlite3.Connection, path: Path) -> None:
        """Write to another file from now on (the writer moved to a rescued copy)."""
        self._marks = OutboxMarks(db, path, self._clock)

    def mark_sent(self, sink: str, up_to_id: int) -> None:
        """Remember that ``sink`` holds every record with a row id up to ``up_to_id``; on
        disk with the next commit."""
        if self.closed:
            raise JournalClosedError("the journal is closed")
        self.held[sink] = up_to_id

    def sent_up_to(self, sink: str) -> int:
        """The highest row id ``sink`` holds, 0 before its first delivery."""
        held = self.held.get(sink)
        return held if held is not None else self._marks.sent_up_to(sink)

    def write(self, marks: dict[str, int]) -> None:
        """Inside the commit's transaction: ``marks``, as ``held`` had them."""
        for sink, up_to_id in sorted(marks.items()):
            self._marks.mark_sent(sink, up_to_id)

    def written(self, marks: dict[str, int]) -> None:
        """After the commit: those marks are on disk, unless one moved on meanwhile."""
        for sink, up_to_id in marks.items():
            if self.held.get(sink) == up_to_id:
                del self.held[sink]


def _sync_directory(directory: Path) -> None:
    # The copy's name must survive a power cut as its content does.
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
