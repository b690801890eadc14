"""Read-only access to a journal, safe while the daemon writes (WAL): exports, verify, outbox.

Records come back as they are stored, without trusting them: ``stream_records`` links
``prev_hash`` to the previous stored record when there is one, and only ``verify`` says
whether the chain holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from monitor.journal.canonical import genesis_hash
from monitor.journal.readings import READING, ReadingPoint
from monitor.journal.record import Record, Unreadable
from monitor.journal.rowcodec import SELECT_RECORD, RowCodec
from monitor.journal.schema import open_for_reading, translate
from monitor.journal.session import PreviousSession, previous_session
from monitor.reading import Quality

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

Entry = tuple[int, Record | Unreadable]  # (row id, what the row holds)


_QUALITIES = frozenset(q.value for q in Quality)


class JournalReader:
    """A read-only connection to ``path``; use ``snapshot()`` for a consistent view."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = open_for_reading(self.path)
        try:
            self._codec = RowCodec(self._db)
        except sqlite3.Error as exc:
            self._db.close()
            raise translate(exc, self.path, "read the dictionaries") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> JournalReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the journal as it was when the block began."""
        self._run("BEGIN")
        try:
            try:
                self._codec = RowCodec(self._db)  # streams and symbols added since opening
            except sqlite3.Error as exc:
                raise translate(exc, self.path, "read the dictionaries") from None
            yield
        finally:
            if self._db.in_transaction:
                with suppress(sqlite3.Error):  # a read transaction; ending it changes nothing
                    self._db.execute("ROLLBACK")

    def stream_names(self) -> list[str]:
        return [r[0] for r in self._run("SELECT name FROM streams ORDER BY name")]

    def stream_entries(self, stream: str) -> list[Entry]:
        """Every row labelled ``stream``, by seq then row id, decoded or not."""
        stream_id = self._codec.streams.by_text.get(stream)
        if stream_id is None:
            return []
        rows = self._run(
            SELECT_RECORD + " FROM records WHERE stream = ? ORDER BY seq, id", (stream_id,)
        )
        return [(row[0], self._codec.decode(row)) for row in rows]

    def stream_points(self, stream: str) -> list[Record | ReadingPoint]:
        """``stream`` by seq for a chart: each reading with a finite value as a point read
        from its columns alone (no hash, no tags: a tenth of a record's time and memory),
        every other record decoded whole; unreadable rows left out."""
        stream_id = self._codec.streams.by_text.get(stream)
        if stream_id is None:
            return []
        symbols = self._codec.symbols.by_id
        reading = self._codec.symbols.by_text.get(READING)
        # Each quality's symbol once, not an enum lookup per row: a tenth of the loop's time.
        qualities = {i: Quality(name) for i, name in symbols.items() if name in _QUALITIES}
        points: list[Record | ReadingPoint] = []
        whole: set[int] = set()  # the seqs to decode whole
        try:
            rows = self._db.execute(
                "SELECT seq, ts, kind, probe, value, quality FROM records WHERE stream = ? "
                "ORDER BY seq, id",
                (stream_id,),
            )
            for seq, ts, kind, probe, value, quality in rows:  # one row at a time
                probe_name, quality_of = symbols.get(probe), qualities.get(quality)
                if (
                    kind == reading
                    and type(value) is float
                    and type(seq) is int
                    and type(ts) is int
                    and probe_name is not None
                    and quality_of is not None
                ):
                    points.append(ReadingPoint(seq, ts, probe_name, value, quality_of))
                elif type(seq) is int:
                    whole.add(seq)
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "read") from None
        if not whole:
            return points
        rows_whole = self._run(
            SELECT_RECORD + " FROM records WHERE stream = ? AND NOT (kind = ? AND "
            "typeof(value) = 'real') ORDER BY seq, id",
            (stream_id, reading if reading is not None else -1),
        )
        records = [e for row in rows_whole if isinstance(e := self._codec.decode(row), Record)]
        merged: list[Record | ReadingPoint] = [*points, *(r for r in records if r.seq in whole)]
        merged.sort(key=lambda entry: entry.seq)
        return merged

    def loose_entries(self) -> list[Entry]:
        """Rows whose stream id names no stream, under the stream name ``LOST_STREAM``."""
        rows = self._run(
            SELECT_RECORD + " FROM records WHERE stream NOT IN (SELECT id FROM streams) ORDER BY id"
        )
        return [(row[0], self._codec.decode(row, lost_stream=True)) for row in rows]

    def stream_records(self, stream: str) -> list[Record]:
        """The readable records of ``stream`` by seq; ``prev_hash`` set from the stored record
        before it (the genesis value for #1), None when that record is not there."""
        out: list[Record] = []
        prev_seq, prev_hash = 0, genesis_hash(stream)
        for _, entry in self.stream_entries(stream):
            if not isinstance(entry, Record):
                continue
            linked = prev_hash if entry.seq == prev_seq + 1 else None
            out.append(
                Record(
                    entry.stream, entry.seq, entry.ts, entry.kind, entry.fields, entry.hash, linked
                )
            )
            prev_seq, prev_hash = entry.seq, entry.hash
        return out

    def records_after(
        self, after_id: int, limit: int = 1000, kinds: Collection[str] | None = None
    ) -> list[tuple[int, Record]]:
        """Up to ``limit`` readable records with a row id above ``after_id``, by row id;
        only those of ``kinds`` when given."""
        return self.scan_after(after_id, limit, kinds)[0]

    def scan_after(
        self, after_id: int, limit: int, kinds: Collection[str] | None = None
    ) -> tuple[list[tuple[int, Record]], int]:
        """``records_after``, and the row id up to which every row was looked at: the next
        call's ``after_id`` (an outbox's mark). Unreadable rows are passed over, not returned."""
        top = self.last_row_id()
        where, args = "id > ? AND id <= ?", [after_id, top]
        if kinds is not None:
            symbols = self._codec.symbols.by_text
            ids = [symbols[k] for k in kinds if k in symbols]
            if not ids:
                return [], max(after_id, top)
            where += f" AND kind IN ({','.join('?' * len(ids))})"
            args += ids
        rows = self._run(
            SELECT_RECORD + f" FROM records WHERE {where} ORDER BY id LIMIT ?", (*args, limit)
        )
        out = []
        for row in rows:
            entry = self._codec.decode(row)
            if isinstance(entry, Record):
                out.append((int(row[0]), entry))
        up_to = int(rows[-1][0]) if len(rows) == limit else max(after_id, top)
        return out, up_to

    def last_row_id(self) -> int:
        """The highest row id stored, 0 for an empty journal."""
        return int(self._run("SELECT COALESCE(MAX(id), 0) FROM records")[0][0])

    def last_ts(self) -> int:
        """The stamp of the last row written, 0 for an empty journal."""
        rows = self._run("SELECT ts FROM records ORDER BY id DESC LIMIT 1")
        return int(rows[0][0]) if rows and isinstance(rows[0][0], int) else 0

    def rows_after(self, after_id: int) -> tuple[int, int | None]:
        """How many rows have a row id above ``after_id``, and the stamp of the first of them."""
        count = int(self._run("SELECT COUNT(*) FROM records WHERE id > ?", (after_id,))[0][0])
        first = self._run("SELECT ts FROM records WHERE id > ? ORDER BY id LIMIT 1", (after_id,))
        return count, (int(first[0][0]) if first and isinstance(first[0][0], int) else None)

    def records_of_kind(self, kind: str, stream_prefix: str) -> list[Record]:
        """The readable records of ``kind`` in the streams whose names begin ``stream_prefix``."""
        kind_id = self._codec.symbols.by_text.get(kind)
        streams = [
            i for name, i in self._codec.streams.by_text.items() if name.startswith(stream_prefix)
        ]
        out: list[Record] = []
        if kind_id is None:
            return out
        for start in range(0, len(streams), 500):  # SQLite's limit on bound parameters
            chunk = streams[start : start + 500]
            rows = self._run(
                SELECT_RECORD + f" FROM records WHERE stream IN ({','.join('?' * len(chunk))}) "
                "AND kind = ? ORDER BY id",
                (*chunk, kind_id),
            )
            out += [e for e in map(self._codec.decode, rows) if isinstance(e, Record)]
        return out

    def records_of_kinds(self, kinds: Collection[str], streams: Collection[str]) -> list[Record]:
        """The readable records of any of ``kinds`` in ``streams``, by row id: one pass over
        those streams' rows (an enclosure's days), without decoding their readings."""
        kind_ids = [i for k in kinds if (i := self._codec.symbols.by_text.get(k)) is not None]
        ids = [i for s in streams if (i := self._codec.streams.by_text.get(s)) is not None]
        out: list[Record] = []
        if not kind_ids:
            return out
        kinds_sql = ",".join("?" * len(kind_ids))
        for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
            chunk = ids[start : start + 500]
            rows = self._run(
                SELECT_RECORD + f" FROM records WHERE stream IN ({','.join('?' * len(chunk))}) "
                f"AND kind IN ({kinds_sql}) ORDER BY id",
                (*chunk, *kind_ids),
            )
            out += [e for e in map(self._codec.decode, rows) if isinstance(e, Record)]
        return out

    def last_of_kind(self, stream: str, kind: str) -> tuple[int, Record] | None:
        """The last readable record of ``kind`` in ``stream``, with its row id."""
        stream_id = self._codec.streams.by_text.get(stream)
        kind_id = self._codec.symbols.by_text.get(kind)
        if stream_id is None or kind_id is None:
            return None
        rows = self._run(
            SELECT_RECORD + " FROM records WHERE stream = ? AND kind = ? ORDER BY seq DESC LIMIT 8",
            (stream_id, kind_id),
        )
        for row in rows:
            entry = self._codec.decode(row)
            if isinstance(entry, Record):
                return int(row[0]), entry
        return None

    def stream_span(self, stream: str) -> tuple[int, int] | None:
        """The time stamps of the first and last records of ``stream`` (by seq)."""
        stream_id = self._codec.streams.by_text.get(stream)
        if stream_id is None:
            return None
        sql = "SELECT ts FROM records WHERE stream = ? ORDER BY seq {} LIMIT 1"
        first = self._run(sql.format("ASC"), (stream_id,))
        last = self._run(sql.format("DESC"), (stream_id,))
        if not first or not last:
            return None
        return int(first[0][0]), int(last[0][0])

    def stream_head(self, stream: str) -> tuple[int, bytes] | None:
        """(seq, stored hash) of the last row of ``stream``, or None for an unknown stream."""
        stream_id = self._codec.streams.by_text.get(stream)
        if stream_id is None:
            return None
        rows = self._run(
            "SELECT seq, hash FROM records WHERE stream = ? ORDER BY seq DESC LIMIT 1", (stream_id,)
        )
        if not rows or not isinstance(rows[0][0], int) or not isinstance(rows[0][1], bytes):
            return None
        return rows[0][0], rows[0][1]

    def row_gaps(self) -> list[tuple[int, int]]:
        """Ranges of missing row ids: rows are never deleted, so each range was deleted."""
        return [
            (int(a), int(b))
            for a, b in self._run(
                "SELECT id + 1, next - 1 FROM (SELECT id, LEAD(id) OVER (ORDER BY id) AS next "
                "FROM records) WHERE next > id + 1"
            )
        ]

    def device_keys(self) -> dict[str, Ed25519PublicKey]:
        """Public keys the writer stored; an inspector still needs a trusted copy to compare."""
        # Here, not above: a reader of records alone (a cycle page's child) loads no cryptography.
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        keys: dict[str, Ed25519PublicKey] = {}
        for key_id, raw in self._run(
            "SELECT key_id, public_key FROM device_keys ORDER BY added_ns"
        ):
            try:
                keys[str(key_id)] = Ed25519PublicKey.from_public_bytes(bytes(raw))
            except ValueError:
                continue
        return keys

    def session(self) -> PreviousSession:
        """How the latest session stands: ``clean`` once it closed, else ``unclean`` (running,
        or ended by a crash)."""
        try:
            return previous_session(self._db, self._codec)
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "read the device stream") from None

    def sent_up_to(self, sink: str) -> int:
        """The highest row id ``sink`` holds, 0 before its first delivery."""
        rows = self._run("SELECT sent_up_to FROM outbox WHERE sink = ?", (sink,))
        return int(rows[0][0]) if rows else 0

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "read") from None
