"""The SQLite file: its schema, how the writer and the readers open it, and SQLite's errors.

Nothing is written to a file before it is known to be an empty database or a lactamon journal
(``PRAGMA application_id`` and ``user_version``), so a foreign or damaged file is left exactly
as it was found.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from monitor.journal.errors import (
    ForeignDatabaseError,
    JournalBusyError,
    JournalCorruptError,
    JournalError,
    JournalFullError,
    JournalNotFoundError,
    JournalReadOnlyError,
    JournalVersionError,
)

APPLICATION_ID = 0x4C414354  # "LACT"
SCHEMA_VERSION = 1
TABLES = ("device_keys", "streams", "symbols", "records", "outbox")
# Symbol ids 1-4 are fixed so the commonest values take no bytes or one byte in a row.
BUILTIN_SYMBOLS = ("reading", "ok", "out_of_range", "fault")
# A commit writes each page it touches whole to the WAL: the last page of the records, and
# the page of each stream's end in the (stream, seq) index, for a few rows of ~100 bytes.
# Pages of 1 KiB write a quarter of what the default 4 KiB do for the same commit (README,
# "On the SD card"); a journal created with another size keeps it.
PAGE_SIZE = 1024
# The WAL is copied into the file once it holds this many pages (10 MiB): a page rewritten
# by many commits in between (a stream's end in the index) is copied once.
WAL_AUTOCHECKPOINT_PAGES = 10_000
# A reader's page cache (SQLite's default is 2,000 KiB): a reader scans a stream once, which
# the kernel's file cache serves as well, and in the daemon each reader's cache is freed into
# the allocator of the thread that read, which keeps it.
READ_CACHE_KIB = 256

_APPEND_ONLY = ("device_keys", "streams", "symbols", "records")

SCHEMA = (
    """
CREATE TABLE device_keys (
    key_id TEXT PRIMARY KEY, public_key BLOB NOT NULL, added_ns INTEGER NOT NULL);
CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE symbols (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
-- One row per record. prev_hash is not stored: it is the hash of the previous record of the
-- same stream. Columns probe..raw hold a reading's usual fields; extra holds every other
-- field as JSON. The rowid (id) is stable and never reused, for the outbox.
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    stream INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    probe INTEGER,
    value REAL,
    quality INTEGER,
    raw REAL,
    extra TEXT,
    hash BLOB NOT NULL
);
CREATE UNIQUE INDEX records_by_stream ON records (stream, seq);
-- Delivery progress per sink: the only mutable table; it holds no evidence.
CREATE TABLE outbox (
    sink TEXT PRIMARY KEY, sent_up_to INTEGER NOT NULL, updated_ns INTEGER NOT NULL);
"""
    + "".join(
        f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'the lactamon journal is append-only: no UPDATE of {table}'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, 'the lactamon journal is append-only: no DELETE from {table}'); END;
"""
        for table in _APPEND_ONLY
    )
    + "".join(
        f"INSERT INTO symbols (id, text) VALUES ({i}, '{text}');\n"
        for i, text in enumerate(BUILTIN_SYMBOLS, start=1)
    )
    + f"PRAGMA application_id = {APPLICATION_ID};\nPRAGMA user_version = {SCHEMA_VERSION};\n"
)


def translate(exc: sqlite3.Error, path: Path, action: str) -> JournalError:
    """A ``JournalError`` saying what failed, from an SQLite error."""
    name = getattr(exc, "sqlite_errorname", "")
    text = f"{path}: {action}: {exc}"
    if name == "SQLITE_NOTADB" or name.startswith("SQLITE_CORRUPT") or "malformed" in str(exc):
        return JournalCorruptError(f"{path}: {action}: not an SQLite database or damaged ({exc})")
    if name == "SQLITE_FULL":
        return JournalFullError(f"{path}: {action}: the disk or the journal size limit is full")
    if name.startswith("SQLITE_READONLY") or name == "SQLITE_PERM":
        return JournalReadOnlyError(f"{path}: {action}: the journal cannot be written ({exc})")
    return JournalError(text)


def check_writable(path: Path) -> None:
    """Refuse a file or directory marked read-only, even for root, who bypasses permissions."""
    directory = path.parent
    if not directory.is_dir():
        raise JournalError(f"{path}: the directory {directory} does not exist")
    for target, what in ((directory, "directory"), (path, "file")):
        if not target.exists():
            continue
        mode = target.stat().st_mode
        if not mode & 0o222 or not os.access(target, os.W_OK):
            raise JournalReadOnlyError(
                f"{path}: the {what} {target} is read-only (mode {stat.S_IMODE(mode):04o}); "
                "the writer needs to write the file and its -wal and -shm files beside it"
            )


def open_for_writing(path: Path, max_bytes: int | None) -> sqlite3.Connection:
    """The writer's connection: a new journal is created, an existing one checked."""
    check_writable(path)
    try:
        db = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate(exc, path, "open") from None
    try:
        fresh = _inspect(db, path, allow_empty=True)
        if fresh:  # before anything is written: the size is fixed by the first page
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        # FULL: in WAL mode NORMAL syncs the WAL only at checkpoints, so a power cut could
        # lose every commit since the last checkpoint, an unbounded time. FULL syncs the WAL
        # at each commit; commits are batched (writer.py: urgent records within the commit
        # interval, the others within the cold one), so the cost is one fsync per batch and
        # what is at risk is bounded by those intervals.
        db.execute("PRAGMA synchronous = FULL")
        if max_bytes is not None:
            page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
            db.execute(f"PRAGMA max_page_count = {max(1, max_bytes // page_size)}")
        if fresh:
            db.executescript("BEGIN IMMEDIATE;\n" + SCHEMA + "COMMIT;")
    except JournalError:
        db.close()
        raise
    except sqlite3.Error as exc:
        db.close()
        raise translate(exc, path, "open for writing") from None
    return db


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A read-only connection; works while the daemon writes (WAL)."""
    try:
        path.stat()
    except FileNotFoundError:
        raise JournalNotFoundError(f"{path}: no such journal") from None
    except OSError as exc:
        raise JournalError(f"{path}: cannot reach the journal ({exc.strerror})") from None
    uri = "file:" + quote(str(path.resolve()))
    try:
        db = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None)
        try:
            _inspect(db, path, allow_empty=False)
        except JournalReadOnlyError:
            db.close()
            # A read-only directory and no -wal file: no writer can be at work and nothing
            # waits in a WAL, so the main file alone is the whole journal.
            if Path(str(path) + "-wal").exists():
                raise
            db = sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True, isolation_level=None)
            _inspect(db, path, allow_empty=False)
        db.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
    except sqlite3.Error as exc:
        raise translate(exc, path, "open for reading") from None
    return db


def _inspect(db: sqlite3.Connection, path: Path, allow_empty: bool) -> bool:
    """True for an empty database to initialise; raises unless it is a lactamon journal."""
    try:
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as exc:
        db.close()
        raise translate(exc, path, "open") from None
    if app_id == 0 and not tables:
        if allow_empty:
            return True
        db.close()
        raise ForeignDatabaseError(f"{path}: an empty database, not a lactamon journal")
    if app_id != APPLICATION_ID:
        db.close()
        raise ForeignDatabaseError(
            f"{path}: an SQLite database of another application (application_id "
            f"{app_id:#010x}), not a lactamon journal; it was left untouched"
        )
    if version > SCHEMA_VERSION:
        db.close()
        raise JournalVersionError(
            f"{path}: journal schema version {version}; this software reads up to "
            f"{SCHEMA_VERSION}: upgrade lactamon"
        )
    missing = [t for t in TABLES if t not in tables]
    if version < 1 or missing:
        db.close()
        raise JournalCorruptError(
            f"{path}: a lactamon journal with an incomplete schema (version {version}, "
            f"missing tables: {', '.join(missing) or 'none'})"
        )
    return False


def lock_for_writing(path: Path) -> int:
    """An exclusive lock on the journal file for this writer's lifetime (flock, not fcntl)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        raise JournalError(f"{path}: cannot open the journal ({exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalBusyError(f"{path}: another writer has this journal open") from None
    return fd
