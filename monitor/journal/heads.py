"""Where each stream stands for the writer: its head, whether it is sealed, what is unsigned.

A stream's state is loaded from the file the first time the writer appends to it. The writer
then re-checks the stream's records since its last signed checkpoint. Damage found there
(records altered, deleted or unreadable while the writer was not running) is reported as the
state's ``problem``, not raised: the writer records it and carries on from the stored head,
because monitoring must not stop, and signing after the damage hides none of it from the
verifier, which checks every record's own hash.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from monitor.journal.canonical import chain_hash, genesis_hash, record_canonical
from monitor.journal.keys import DeviceKey
from monitor.journal.record import Record, Unreadable
from monitor.journal.rowcodec import SELECT_RECORD, RowCodec
from monitor.journal.signing import SEAL, SIGNED_KINDS, check_signed_record

_CHUNK = 1000


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


def load_stream_state(
    db: sqlite3.Connection, codec: RowCodec, name: str, key: DeviceKey, now: float
) -> StreamState:
    """The state of ``name`` from its committed records, with the first damage found."""
    stream_id = codec.streams.by_text.get(name)
    if stream_id is None:
        return StreamState(name, codec.streams.id_of(name), 0, genesis_hash(name))
    tail = _tail_since_last_signature(db, codec, stream_id)
    if not tail:
        return StreamState(name, stream_id, 0, genesis_hash(name))
    problems: list[str] = []
    first_seq, first = tail[0]
    prev: bytes | None = genesis_hash(name) if first_seq == 1 else None
    signed_at = 0
    if isinstance(first, Record) and first.kind in SIGNED_KINDS:
        signed_at = first_seq
        if first.fields.get("key_id") == key.key_id:
            found = check_signed_record(first, {key.key_id: key.public}, None)
            problems += [f"{first.location}: {p.message}" for p in found]
        prev = _hex(first.fields.get("head_hash"))
    elif first_seq != 1:
        problems.append(f"{name}#{first_seq}: the records before it are missing")
    expected, sealed = first_seq, False
    for seq, entry in tail:
        if seq != expected:
            problems.append(f"{name}#{expected}..{seq - 1} are missing")
        if isinstance(entry, Unreadable):
            problems.append(f"{name}#{seq} ({entry.where}) {entry.reason}")
        elif prev is not None and chain_hash(prev, record_canonical(entry)) != entry.hash:
            problems.append(f"{name}#{seq} does not match its chain")
        elif entry.kind == SEAL:
            sealed = True
        prev, expected = entry.hash, seq + 1
    last_seq, last = tail[-1]
    head = last.hash if last.hash is not None else genesis_hash(name)
    state = StreamState(name, stream_id, last_seq, head, sealed, last_seq - signed_at, now)
    state.problem = "; ".join(problems[:3]) or None
    return state


def _tail_since_last_signature(
    db: sqlite3.Connection, codec: RowCodec, stream_id: int
) -> list[tuple[int, Record | Unreadable]]:
    """The stream's rows from its last checkpoint or seal (or from #1) to its head, by seq;
    rows whose seq cannot be read are left out (the seq gap they leave is reported)."""
    tail: list[tuple[int, Record | Unreadable]] = []
    below: int | None = None
    while True:
        if below is None:
            sql = SELECT_RECORD + " FROM records WHERE stream = ? ORDER BY seq DESC LIMIT ?"
            rows = db.execute(sql, (stream_id, _CHUNK)).fetchall()
        else:
            sql = (
                SELECT_RECORD
                + " FROM records WHERE stream = ? AND seq < ? ORDER BY seq DESC LIMIT ?"
            )
            rows = db.execute(sql, (stream_id, below, _CHUNK)).fetchall()
        for row in rows:
            entry = codec.decode(row)
            if entry.seq is None:
                continue
            tail.append((entry.seq, entry))
            if isinstance(entry, Record) and entry.kind in SIGNED_KINDS:
                tail.reverse()
                return tail
        if len(rows) < _CHUNK:
            tail.reverse()
            return tail
        below = tail[-1][0]


def _hex(value: object) -> bytes | None:
    try:
        return bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        return None
