"""Records to compact rows and back: small integers for repeated text, columns for readings.

A reading row holds ids for its stream, kind, probe and quality, two REAL columns, an integer
stamp and its 32-byte hash; any other field goes to ``extra`` as JSON (whose float and integer
texts read back to the same typed values). Decoding rebuilds exactly the fields that were
encoded, so the canonical bytes can be derived again from the row.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from monitor.journal.record import Fields, FieldValue, Record, Unreadable

INSERT_RECORD = (
    "INSERT INTO records (stream, seq, ts, kind, probe, value, quality, raw, extra, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_RECORD = "SELECT id, stream, seq, ts, kind, probe, value, quality, raw, extra, hash"

LOST_STREAM = "(unknown stream)"
_MAX_KEPT = 10_000
_COLUMNS = frozenset({"probe", "quality", "value", "raw"})
# Parsed ``extra`` texts kept by a decoder: the equipment tags of readings, a few distinct
# short texts; an event's or a signature's is read once, and not kept.
_EXTRAS_KEPT = 64
_EXTRA_KEPT_CHARS = 100
Row = tuple[
    int, int, int, int, int | None, float | None, int | None, float | None, str | None, bytes
]


class Dictionary:
    """Text ↔ small integer for one table (streams or symbols); new entries wait for a commit."""

    def __init__(self, db: sqlite3.Connection, table: str, column: str) -> None:
        self.table, self.column = table, column
        self.by_id: dict[int, str] = dict(db.execute(f"SELECT id, {column} FROM {table}"))
        self.by_text = {text: ident for ident, text in self.by_id.items()}
        self.pending: list[tuple[int, str]] = []
        self._next = max(self.by_id, default=0) + 1

    def id_of(self, text: str) -> int:
        ident = self.by_text.get(text)
        if ident is None:
            ident = self._next
            self._next += 1
            self.by_text[text] = ident
            self.by_id[ident] = text
            self.pending.append((ident, text))
        return ident

    def insert_pending(self, db: sqlite3.Connection) -> None:
        """Write the new entries (inside the caller's transaction)."""
        if self.pending:
            db.executemany(
                f"INSERT INTO {self.table} (id, {self.column}) VALUES (?, ?)", self.pending
            )

    def committed(self) -> None:
        self.pending.clear()


class RowCodec:
    """Encodes records for the writer and decodes rows for every reader."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.streams = Dictionary(db, "streams", "name")
        self.symbols = Dictionary(db, "symbols", "text")
        self._one_text: dict[tuple[str, str], str] = {}
        self._read_extra: dict[str, dict[str, FieldValue]] = {}

    def _extra(self, rest: Fields) -> str:
        # A reading's only other field is its equipment tag, the same text every time: its
        # JSON is kept rather than made again for every reading written.
        if len(rest) == 1:
            ((name, value),) = rest.items()
            if type(value) is str:
                text = self._one_text.get((name, value))
                if text is None:
                    if len(self._one_text) >= _MAX_KEPT:
                        self._one_text.clear()
                    text = self._one_text[name, value] = _json(rest)
                return text
        return _json(rest)

    def encode(
        self, stream_id: int, seq: int, ts: int, kind: str, fields: Fields, hash_: bytes
    ) -> Row:
        symbol = self.symbols.id_of
        rest = dict(fields)
        probe, quality = _take_text(rest, "probe"), _take_text(rest, "quality")
        value, raw = _take_float(rest, "value"), _take_float(rest, "raw")
        extra = self._extra(rest) if rest else None
        return (
            stream_id,
            seq,
            ts,
            symbol(kind),
            None if probe is None else symbol(probe),
            value,
            None if quality is None else symbol(quality),
            raw,
            extra,
            hash_,
        )

    def decode(self, row: tuple[Any, ...], lost_stream: bool = False) -> Record | Unreadable:
        """A stored row as a record (``prev_hash`` None), or what can be read of it.

        ``lost_stream``: the row's stream id names no stream; decode the rest under the
        stream name ``LOST_STREAM`` (never a valid stream id) so the verifier can find where
        it chains.
        """
        _, stream_id, seq, ts, kind_id, probe, value, quality, raw, extra, hash_ = row
        symbols = self.symbols.by_id
        if (  # the common row, decoded without the checks that name what is wrong
            not lost_stream
            and type(seq) is int
            and type(ts) is int
            and type(hash_) is bytes
            and type(stream_id) is int
            and type(kind_id) is int
            and (probe is None or type(probe) is int)
            and (quality is None or type(quality) is int)
            and (value is None or type(value) is float)
            and (raw is None or type(raw) is float)
        ):
            stream_name, kind_name = self.streams.by_id.get(stream_id), symbols.get(kind_id)
            probe_name = None if probe is None else symbols.get(probe)
            quality_name = None if quality is None else symbols.get(quality)
            plain = {} if extra is None else self._plain_extra(extra)
            if (
                stream_name is not None
                and kind_name is not None
                and (probe_name is not None or probe is None)
                and (quality_name is not None or quality is None)
                and plain is not None
            ):
                fields: dict[str, FieldValue] = dict(plain)
                if probe_name is not None:
                    fields["probe"] = probe_name
                if quality_name is not None:
                    fields["quality"] = quality_name
                if value is not None:
                    fields["value"] = value
                if raw is not None:
                    fields["raw"] = raw
                return Record(stream_name, seq, ts, kind_name, fields, hash_)
        return self._decode_checked(row, lost_stream)

    def _plain_extra(self, extra: object) -> dict[str, FieldValue] | None:
        """The fields of a common row's ``extra`` (a short text is parsed once: a reading's is
        its equipment tag, the same every time); None when ``_decode_checked`` must say what
        is wrong with it. Callers copy what it returns."""
        if type(extra) is not str:
            return None
        known = self._read_extra.get(extra)
        if known is None:
            try:
                loaded = json.loads(extra)
            except ValueError:
                return None
            if (
                not isinstance(loaded, dict)
                or not all(type(v) in (str, int, float, bool) for v in loaded.values())
                or not _COLUMNS.isdisjoint(loaded)
            ):
                return None
            if len(extra) <= _EXTRA_KEPT_CHARS:
                if len(self._read_extra) >= _EXTRAS_KEPT:
                    self._read_extra.clear()
                self._read_extra[extra] = loaded
            return loaded
        return known

    def _decode_checked(self, row: tuple[Any, ...], lost_stream: bool) -> Record | Unreadable:
        ident, stream_id, seq, ts, kind_id, probe, value, quality, raw, extra, hash_ = row
        where = f"row {ident}"
        if lost_stream:
            stream: str | None = LOST_STREAM
        else:
            stream = self.streams.by_id.get(stream_id) if type(stream_id) is int else None
        seq = seq if type(seq) is int else None
        if isinstance(hash_, str):
            hash_ = hash_.encode("utf-8", "replace")
        elif not isinstance(hash_, bytes):
            hash_ = None
        if stream is None or seq is None:
            return Unreadable(stream, seq, hash_, where, "its stream or seq cannot be read")
        if hash_ is None:
            return Unreadable(stream, seq, None, where, "its hash is not a byte string")
        symbols = self.symbols.by_id
        kind = symbols.get(kind_id) if type(kind_id) is int else None
        if kind is None or type(ts) is not int:
            return Unreadable(stream, seq, hash_, where, "its kind or time stamp cannot be read")
        fields = {}
        if extra is not None:
            try:
                loaded = json.loads(extra) if isinstance(extra, str) else None
            except ValueError:
                loaded = None
            if not isinstance(loaded, dict) or not all(
                type(v) in (str, int, float, bool) for v in loaded.values()
            ):
                return Unreadable(stream, seq, hash_, where, "its extra fields cannot be read")
            fields.update(loaded)
        for name, column, is_symbol in (
            ("probe", probe, True),
            ("quality", quality, True),
            ("value", value, False),
            ("raw", raw, False),
        ):
            if column is None:
                continue
            if name in fields:
                return Unreadable(stream, seq, hash_, where, f"field {name} is stored twice")
            if is_symbol:
                text = symbols.get(column) if type(column) is int else None
                if text is None:
                    return Unreadable(stream, seq, hash_, where, f"its {name} cannot be read")
                fields[name] = text
            elif type(column) in (float, int, str):
                fields[name] = column
            else:
                return Unreadable(stream, seq, hash_, where, f"its {name} cannot be read")
        return Record(stream, seq, ts, kind, fields, hash_)


def _json(fields: Fields) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _take_text(fields: Fields, name: str) -> str | None:
    """Remove and return ``fields[name]`` if it is text (it then gets a symbol column)."""
    value = fields.get(name)
    if isinstance(value, str):
        del fields[name]
        return value
    return None


def _take_float(fields: Fields, name: str) -> float | None:
    """Remove and return ``fields[name]`` if it is a float (it then gets a REAL column)."""
    value = fields.get(name)
    if type(value) is float:
        del fields[name]
        return value
    return None
