"""Where each stream stands for the writer: its head, whether it is sealed, what is unsigned.

A stream's state is loaded from the file when the writer opens the journal (streams whose
last record is not a signature, and streams written after the last close) or the first time
it appends to it. The writer then re-checks the stream's records since its last *valid*
signature (a checkpoint or seal whose signature verifies with the device key or a key the
journal stores: one that does not is damage, and the check goes back to the one before):
records altered, deleted, unreadable, stored out of order or after the seal while it was not
running, and records stored after the last close (or stamped after it). What it finds is the
state's ``problem``, not raised: the writer notes it in the stream before it moves the head
past it (``writer``), because monitoring must not stop, and no signature of the writer may
vouch for damage it has not named.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.canonical import chain_hash, genesis_hash, record_canonical
from monitor.journal.errors import RecordError
from monitor.journal.record import Record, Unreadable
from monitor.journal.rowcodec import SELECT_RECORD, RowCodec
from monitor.journal.session import LastClose
from monitor.journal.signing import SEAL, SIGNED_KINDS, check_signed_record

Problem = tuple[int, str]  # (the seq it is about, what is wrong)


@dataclass(slots=True)
class StreamState:
    """The writer's view of one stream; ``unsigned`` counts records after the last signature."""

    name: str
    stream_id: int
    seq: int
    hash: bytes
    sealed: bool = False
    unsigned: int = 0
    unsigned_since: float = 0.0
    problem: str | None = None  # damage found when the state was loaded
    damaged: tuple[int, int] | None = None  # the first and last seq the problem is about


@dataclass(frozen=True, slots=True)
class _Row:
    row: int
    seq: int
    entry: Record | Unreadable


def load_stream_state(
    db: sqlite3.Connection,
    codec: RowCodec,
    name: str,
    keys: Mapping[str, Ed25519PublicKey],
    now: float,
    closed: LastClose | None = None,
) -> StreamState:
    """The state of ``name`` from its committed records, with the damage found after its last
    valid signature; ``closed``: the journal's last close."""
    stream_id = codec.streams.by_text.get(name)
    if stream_id is None:
        return StreamState(name, codec.streams.id_of(name), 0, genesis_hash(name))
    tail, problems = _tail_since_last_signature(db, codec, stream_id, keys)
    if not tail:
        return StreamState(name, stream_id, 0, genesis_hash(name))
    first = tail[0]
    prev: bytes | None = genesis_hash(name) if first.seq == 1 else None
    signed_at = 0
    if isinstance(first.entry, Record) and first.entry.kind in SIGNED_KINDS:
        signed_at = first.seq
        prev = _hex(first.entry.fields.get("head_hash"))
    elif first.seq != 1:
        problems.append((first.seq, f"{name}#{first.seq}: the records before it are missing"))
    expected, sealed, last_row = first.seq, False, 0
    for item in tail:
        seq, entry = item.seq, item.entry
        if seq != expected:
            problems.append((expected, f"{name}#{expected}..{seq - 1} are missing"))
        if item.row < last_row:
            problems.append((seq, f"{name}#{seq} (row {item.row}) is stored out of order"))
        if sealed:
            problems.append((seq, f"{name}#{seq} was appended after the seal"))
        if isinstance(entry, Unreadable):
            problems.append((seq, f"{name}#{seq} ({entry.where}) {entry.reason}"))
        elif prev is not None and not _chained(prev, entry):
            problems.append((seq, f"{name}#{seq} does not match its chain"))
        elif entry.kind == SEAL and seq == signed_at:
            sealed = True
        if closed is not None and seq != signed_at:
            problems += _after_close(name, item, closed)
        prev, expected, last_row = entry.hash, seq + 1, max(last_row, item.row)
    last = tail[-1]
    head = last.entry.hash if last.entry.hash is not None else genesis_hash(name)
    state = StreamState(name, stream_id, last.seq, head, sealed, last.seq - signed_at, now)
    if problems:
        state.problem = "; ".join(text for _, text in problems[:3])
        state.damaged = (min(s for s, _ in problems), max(s for s, _ in problems))
    return state


def _after_close(name: str, item: _Row, closed: LastClose) -> list[Problem]:
    """No writer runs between a close and the next opening; and when no session opened since,
    every record the closed one made was signed at its close: one after its last signature
    stamped after the close, or written in that session, was not made by it."""
    where = f"{name}#{item.seq} (row {item.row})"
    last = closed.next_opening_row is None
    if closed.stored_after(item.row):
        said = f"was stored after the journal was closed (device#{closed.seq})"
    elif last and isinstance(item.entry, Record) and item.entry.ts > closed.ts:
        said = f"is stamped after the journal was closed (device#{closed.seq})"
    elif last and closed.opened_row < item.row < closed.row:
        said = f"is not signed, though the session that closed at device#{closed.seq} was"
    else:
        return []
    return [(item.seq, f"{where} {said}")]


def _tail_since_last_signature(
    db: sqlite3.Connection, codec: RowCodec, stream_id: int, keys: Mapping[str, Ed25519PublicKey]
) -> tuple[list[_Row], list[Problem]]:
    """The stream's rows from its last valid checkpoint or seal (or from #1) to its head, by
    seq, and the signatures passed over on the way; rows whose seq cannot be read are left
    out (the seq gap they leave is reported)."""
    tail: list[_Row] = []
    problems: list[Problem] = []
    sql = SELECT_RECORD + " FROM records WHERE stream = ? ORDER BY seq DESC"
    with closing(db.execute(sql, (stream_id,))) as rows:
        for row in rows:
            entry = codec.decode(row)
            if entry.seq is None:
                continue
            tail.append(_Row(int(row[0]), entry.seq, entry))
            if isinstance(entry, Record) and entry.kind in SIGNED_KINDS:
                found = check_signed_record(entry, keys, None)
                if not found:
                    break
                problems += [(entry.seq, f"{entry.location}: {p.message}") for p in found]
    tail.reverse()
    return tail, problems


def _chained(prev: bytes, record: Record) -> bool:
    try:
        return chain_hash(prev, record_canonical(record)) == record.hash
    except RecordError:  # a value with no canonical form: it was not written so
        return False


def _hex(value: object) -> bytes | None:
    try:
        return bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        return None
