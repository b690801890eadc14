"""The continuous re-check: the whole journal read again, a few rows at a time, in row order.

Each record's hash is computed again from its content and the hash of the record before it
in its stream, and each checkpoint's and seal's signature is checked with the device key or
another key the journal stores, as ``verify`` does; the service calls ``step`` at a rate that
fits its CPU budget (``service/self_check``) while the writer goes on. Row ids are stable and
rows are never deleted, so a position in the file is a row id, and a pass ends when it reaches
the last committed row; the next one starts again from the first. Only one tip per stream
(seq, hash, seal) is kept, never the records.

It finds rows that cannot be read, records that do not chain (content or hash changed) or
break their stream's sequence (deleted, reordered, duplicated), signatures and heads that do
not verify, records after a seal, records stored after a clean close and before the next
opening (``session_findings``), and absent row ids (rows deleted).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.canonical import chain_hash, genesis_hash, record_canonical
from monitor.journal.errors import RecordError
from monitor.journal.record import Record
from monitor.journal.rowcodec import LOST_STREAM, SELECT_RECORD, RowCodec
from monitor.journal.schema import open_for_reading, translate
from monitor.journal.session_findings import CLOSED, OPENINGS
from monitor.journal.signing import CHECKPOINT, SEAL, SIGNED_KINDS, check_signed_record
from monitor.journal.streams import DEVICE_STREAM

_TOPS = "SELECT (SELECT MAX(id) FROM streams), (SELECT MAX(id) FROM symbols)"


@dataclass(frozen=True, slots=True)
class Damage:
    """One finding: at ``stream#seq``, or at row ``seq`` when ``stream`` is ``LOST_STREAM``."""

    stream: str
    seq: int
    row: int
    problem: str


@dataclass(slots=True)
class RecheckProgress:
    """Where the re-check stands, for ``lactamon status``; ``records_per_s`` 0: not running."""

    records_per_s: float = 0.0
    row_reached: int = 0
    last_row: int = 0
    passes_completed: int = 0
    pass_started_ns: int | None = None
    last_pass_completed_ns: int | None = None
    last_pass_findings: int | None = None  # found by the last complete pass
    pass_findings: int = 0  # found so far by this pass
    found: list[str] = field(default_factory=list)  # new findings of this run, latest last
    error: str | None = None  # why the last step could not read the journal

    def as_json(self) -> dict[str, Any]:
        return {
            "records_per_s": self.records_per_s,
            "row_reached": self.row_reached,
            "last_row": self.last_row,
            "passes_completed": self.passes_completed,
            "pass_started_ns": self.pass_started_ns,
            "last_pass_completed_ns": self.last_pass_completed_ns,
            "last_pass_findings": self.last_pass_findings,
            "pass_findings": self.pass_findings,
            "found": list(self.found),
            "error": self.error,
        }


@dataclass(slots=True)
class _Tip:
    seq: int
    hashes: tuple[bytes, ...]  # what the next record may chain from; () when not known
    sealed_at: int = 0


class Recheck:
    """Reads ``path`` read-only and checks ``step`` rows at a time, keeping ``progress``."""

    def __init__(
        self,
        path: Path,
        keys: dict[str, Ed25519PublicKey],
        progress: RecheckProgress,
        start_row: int = 0,
    ) -> None:
        """``start_row``: where an earlier run's pass stood; the first record of each stream
        met after it is taken as found (its predecessor was checked by that run)."""
        self.path, self.progress = Path(path), progress
        self._keys = keys
        self._db = open_for_reading(self.path)
        self._codec = RowCodec(self._db)
        self._tops: tuple[Any, ...] = ()  # the highest stream and symbol ids the codec knows
        self._tips: dict[int, _Tip] = {}
        # Inside a close window: the seq of journal_closed, and of the device record last seen.
        self._closed: tuple[int, int] | None = None
        self._row = max(0, start_row)
        self._resumed = self._row > 0

    def close(self) -> None:
        self._db.close()

    def reopen(self, path: Path) -> None:
        """Go on in ``path``: the writer carries on in a rescued copy, with the same rows."""
        db = open_for_reading(Path(path))
        self._db.close()
        self._db, self.path = db, Path(path)

    def step(self, limit: int, now_ns: int) -> list[Damage]:
        """Check the next ``limit`` rows; what they show, in row order."""
        try:
            self._db.execute("BEGIN")
            try:
                tops = self._db.execute(_TOPS).fetchone()
                if tops != self._tops:  # streams or symbols were added since
                    self._codec, self._tops = RowCodec(self._db), tops
                rows = self._db.execute(
                    SELECT_RECORD + " FROM records WHERE id > ? ORDER BY id LIMIT ?",
                    (self._row, limit),
                ).fetchall()
                top = self._db.execute("SELECT COALESCE(MAX(id), 0) FROM records").fetchone()
            finally:
                self._db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "re-check") from None
        progress = self.progress
        progress.last_row = int(top[0])
        if self._row == 0:
            progress.pass_started_ns = now_ns
        found = [damage for row in rows for damage in self._check(row)]
        progress.pass_findings += len(found)
        progress.row_reached = self._row
        if len(rows) < limit:  # the last committed row is reached: the pass is complete
            progress.passes_completed += 1
            progress.last_pass_completed_ns = now_ns
            progress.last_pass_findings, progress.pass_findings = progress.pass_findings, 0
            self._tips, self._closed, self._row = {}, None, 0
            self._resumed = False
        return found

    @property
    def row(self) -> int:
        """The last row checked in this pass (0: a pass starts next)."""
        return self._row

    def _check(self, row: tuple[Any, ...]) -> list[Damage]:
        ident = int(row[0])
        found: list[Damage] = []
        if ident > self._row + 1:
            first = self._row + 1
            text = f"rows {first}..{ident - 1} are absent: rows were deleted from the file"
            found.append(Damage(LOST_STREAM, first, ident, text))
        self._row = ident
        stream_id = row[1]
        name = self._codec.streams.by_id.get(stream_id) if type(stream_id) is int else None
        entry = self._codec.decode(row)
        if name is None or entry.seq is None:
            reason = "its stream id names no stream" if name is None else "its seq cannot be read"
            return [*found, Damage(LOST_STREAM, ident, ident, f"row {ident}: {reason}")]
        seq, tip = entry.seq, self._tips.get(stream_id)
        where = f"{name}#{seq} (row {ident})"
        expected = tip.seq + 1 if tip is not None else 1
        unknown_before = tip is None and self._resumed
        if unknown_before:
            expected = seq
        if seq < expected:
            text = f"{where}: stored out of sequence order, or a second #{seq}"
            return [*found, Damage(name, seq, ident, text)]
        if seq > expected:
            text = f"{name}#{expected}..{seq - 1} are missing: the sequence jumps to {where}"
            found.append(Damage(name, expected, ident, text))
        problems: list[str] = []
        before: tuple[bytes, ...] | None = None
        if seq == expected and not unknown_before:
            before = tip.hashes if tip is not None else (genesis_hash(name),)
        hashes = (entry.hash,) if entry.hash is not None else ()
        new = self._tips[stream_id] = _Tip(seq, hashes, tip.sealed_at if tip else 0)
        if new.sealed_at:
            problems.append(f"appended after the seal at #{new.sealed_at}")
        kind = entry.kind if isinstance(entry, Record) else None
        problems += self._window(name, seq, kind)
        if not isinstance(entry, Record):
            problems.append(f"cannot be read: {entry.reason}")
        else:
            problems += self._chain(entry, before, new)
            if entry.kind in SIGNED_KINDS:
                signed = self._signature(entry, before or None)
                problems += signed
                if not signed and entry.kind == SEAL:
                    new.sealed_at = seq
        return found + [Damage(name, seq, ident, f"{where}: {text}") for text in problems]

    @staticmethod
    def _chain(entry: Record, before: tuple[bytes, ...] | None, new: _Tip) -> list[str]:
        try:
            canonical = record_canonical(entry)
        except RecordError:
            return ["holds a value that has no canonical form"]
        if not before:
            return []  # what it follows is not known: its own hash links the next record
        computed = [chain_hash(prev, canonical) for prev in before]
        if entry.hash in computed:
            return []
        new.hashes = (*new.hashes, computed[0])  # the next chains from one of the two
        return ["does not match its chain: its content or its hash was changed"]

    def _window(self, name: str, seq: int, kind: str | None) -> list[str]:
        """After a close, checkpoints only until the next device record, which must be an
        opening (``session_findings``); ``kind`` None: the record cannot be read."""
        said: list[str] = []
        window = self._closed
        if window is not None:
            text = f"was stored after the journal was closed (device#{window[0]})"
            if name != DEVICE_STREAM:
                said += [text] if kind != CHECKPOINT else []
            elif seq == window[1] + 1 and kind == CHECKPOINT:
                self._closed = (window[0], seq)  # a closing checkpoint of device
            else:  # the next session opened, or a device record is missing
                said += [text] if seq == window[1] + 1 and kind not in OPENINGS else []
                self._closed = None
        if name == DEVICE_STREAM and kind == CLOSED:
            self._closed = (seq, seq)
        return said

    def _signature(self, entry: Record, before: tuple[bytes, ...] | None) -> list[str]:
        problems = check_signed_record(entry, self._keys, before)
        if problems and str(entry.fields.get("key_id")) not in self._keys:
            self._keys.update(_stored_keys(self._db))  # a key stored since
            problems = check_signed_record(entry, self._keys, before)
        return [p.message for p in problems]


def _stored_keys(db: sqlite3.Connection) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for key_id, raw in db.execute("SELECT key_id, public_key FROM device_keys").fetchall():
        try:
            keys[str(key_id)] = Ed25519PublicKey.from_public_bytes(bytes(raw))
        except (TypeError, ValueError):
            continue
    return keys
