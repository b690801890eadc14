"""What someone holding a signing key can do to records (test helper).

A rewrite with the device's own key leaves a consistent, validly signed chain: only heads
published before the rewrite show it. A rewrite with another key shows as soon as a trusted
key is asked for.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from monitor.journal import JournalReader, Record
from monitor.journal.canonical import chain_hash, genesis_hash, record_canonical
from monitor.journal.keys import DeviceKey
from monitor.journal.rowcodec import RowCodec
from monitor.journal.signing import SIGNED_KINDS, signed_fields

Change = Callable[[Record], Record]
_SIGNATURE_FIELDS = ("head_seq", "head_hash", "key_id", "signature")


def new_value(value: float) -> Change:
    """A reading given another value."""
    return lambda record: replace(record, fields={**record.fields, "value": value})


def rechain(
    records: list[Record], key: DeviceKey, stream: str | None = None, from_seq: int = 1,
    change: Change | None = None,
) -> list[Record]:  # fmt: skip
    """``records`` (by stream, then seq) with ``change`` applied to ``stream#from_seq`` and
    everything from there on chained and signed again with ``key``; every stream when
    ``stream`` is None."""
    out: list[Record] = []
    prev: dict[str, bytes] = {}
    for record in records:
        tip = prev.get(record.stream, genesis_hash(record.stream))
        if (stream is not None and record.stream != stream) or record.seq < from_seq:
            out.append(record)
            prev[record.stream] = record.hash
            continue
        if record.seq == from_seq and change is not None:
            record = change(record)
        if record.kind in SIGNED_KINDS:
            extra = {k: v for k, v in record.fields.items() if k not in _SIGNATURE_FIELDS}
            fields = signed_fields(key, record.stream, record.seq, record.ts, record.kind, tip,
                                   extra)  # fmt: skip
            record = replace(record, fields=fields)
        digest = chain_hash(tip, record_canonical(record))
        record = replace(record, hash=digest, prev_hash=tip)
        out.append(record)
        prev[record.stream] = digest
    return out


def rewrite_journal(
    journal: Path, out: Path, key: DeviceKey, stream: str, from_seq: int, change: Change
) -> list[Record]:
    """A copy of ``journal`` at ``out`` whose ``stream`` is rewritten from ``from_seq`` in
    place, row by row (the row ids stay), and re-signed with ``key``; the new records."""
    shutil.copy(journal, out)
    with JournalReader(out) as reader:
        records = rechain(reader.stream_records(stream), key, stream, from_seq, change)
    db = sqlite3.connect(out, isolation_level=None)
    try:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
            db.execute(f"DROP TRIGGER {name}")
        codec = RowCodec(db)
        stream_id = codec.streams.by_text[stream]
        for r in records[from_seq - 1 :]:
            row = codec.encode(stream_id, r.seq, r.ts, r.kind, dict(r.fields), r.hash)
            db.execute(
                "UPDATE records SET ts = ?, kind = ?, probe = ?, value = ?, quality = ?, "
                "raw = ?, extra = ?, hash = ? WHERE stream = ? AND seq = ?",
                (*row[2:], stream_id, r.seq),
            )
        codec.symbols.insert_pending(db)
    finally:
        db.close()
    return records
