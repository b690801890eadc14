"""Records forged into a journal file with sqlite3, as someone with write access would (test
helper): appended correctly chained, so that only where and when they were stored betray
them, or a committed row altered in place, its append-only guards dropped first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.journal import JournalReader, Record
from monitor.journal.canonical import canonical_bytes, chain_hash, genesis_hash
from monitor.journal.record import Fields
from monitor.journal.rowcodec import INSERT_RECORD, RowCodec

BUSY_MS = 10_000  # a running writer holds the file a moment at each commit


def forge(path: Path, stream: str, kind: str, ts: int, fields: Fields) -> Record:
    """Append a record to ``stream`` chained from its last stored record; the record."""
    with JournalReader(path) as reader:
        head = reader.stream_head(stream)
    seq, prev = head if head is not None else (0, genesis_hash(stream))
    digest = chain_hash(prev, canonical_bytes(stream, seq + 1, ts, kind, fields))
    db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_MS / 1000)
    try:
        codec = RowCodec(db)
        row = codec.encode(codec.streams.id_of(stream), seq + 1, ts, kind, dict(fields), digest)
        db.execute("BEGIN IMMEDIATE")
        codec.streams.insert_pending(db)
        codec.symbols.insert_pending(db)
        db.execute(INSERT_RECORD, row)
        db.execute("COMMIT")
    finally:
        db.close()
    return Record(stream, seq + 1, ts, kind, fields, digest, prev)


def forge_reading(path: Path, stream: str, ts: int, value: float = 3.4) -> Record:
    """A plausible reading of probe F1-air, forged at the end of ``stream``."""
    return forge(path, stream, "reading", ts, {"probe": "F1-air", "quality": "ok", "value": value})


def alter(path: Path, assignment: str, row_id: int) -> None:
    """``UPDATE records SET <assignment> WHERE id = row_id``, its guard dropped first."""
    db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_MS / 1000)
    try:
        db.execute("DROP TRIGGER IF EXISTS records_no_update")
        db.execute(f"UPDATE records SET {assignment} WHERE id = ?", (row_id,))
    finally:
        db.close()


def row_of(path: Path, stream: str, seq: int) -> int:
    """The row id of ``stream#seq``."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = db.execute(
            "SELECT r.id FROM records AS r JOIN streams AS s ON s.id = r.stream "
            "WHERE s.name = ? AND r.seq = ?",
            (stream, seq),
        ).fetchone()
    finally:
        db.close()
    assert found is not None, f"no {stream}#{seq}"
    return int(found[0])
