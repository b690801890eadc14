"""How the last writer session ended, read from the ``device`` stream of the journal.

A clean ``close()`` appends ``journal_closed`` to ``device`` and then only checkpoints; so the
last ``device`` record that is not a checkpoint is ``journal_closed`` exactly when the last
session closed cleanly. The next session opens with ``journal_opened``, or with
``journal_reopened`` (the gap record) after an unclean end such as a crash or a power cut.

After a clean close, ``closed`` says where the close is and where the session it closed
began: the writer's check at the next opening looks for records stored after it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from monitor.journal.record import Fields
from monitor.journal.rowcodec import RowCodec
from monitor.journal.signing import CHECKPOINT
from monitor.journal.streams import DEVICE_STREAM


class SessionState(StrEnum):
    NEW = "new"  # no session before: the journal was just created
    CLEAN = "clean"
    UNCLEAN = "unclean"


@dataclass(frozen=True, slots=True)
class CleanClose:
    """The ``journal_closed`` record of a clean session, and the row that opened the session."""

    row: int
    seq: int
    ts: int
    opened_row: int  # 0 when no opening record is found before it


@dataclass(frozen=True, slots=True)
class PreviousSession:
    """The end of the last session, and the last record it committed."""

    state: SessionState
    last_record_id: int | None = None
    last_record_ts: int | None = None
    last_record: str | None = None  # "stream#seq"
    closed: CleanClose | None = None

    @property
    def clean(self) -> bool | None:
        return None if self.state is SessionState.NEW else self.state is SessionState.CLEAN

    def opening_record(self) -> tuple[str, Fields]:
        """Kind and fields of the record that opens the next session."""
        kind = "journal_reopened" if self.state is SessionState.UNCLEAN else "journal_opened"
        fields: Fields = {"previous_session": self.state.value}
        if self.last_record_id is not None and self.last_record_ts is not None:
            fields["last_record_id"] = self.last_record_id
            fields["last_record_ts"] = self.last_record_ts
            fields["last_record"] = str(self.last_record)
        return kind, fields


def previous_session(db: sqlite3.Connection, codec: RowCodec) -> PreviousSession:
    """Read how the last session ended (the file is not changed)."""
    last = db.execute("SELECT id, ts, stream, seq FROM records ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        return PreviousSession(SessionState.NEW)
    ident, ts, stream_id, seq = last
    where = f"{codec.streams.by_id.get(stream_id, '?')}#{seq}"
    device = codec.streams.by_text.get(DEVICE_STREAM)
    checkpoint = codec.symbols.by_text.get(CHECKPOINT)
    state, closed = SessionState.UNCLEAN, None
    if device is not None:
        rows = db.execute(
            "SELECT kind, id, seq, ts FROM records WHERE stream = ? ORDER BY seq DESC LIMIT 1000",
            (device,),
        ).fetchall()
        for kind, row, seq, stamp in rows:
            if kind != checkpoint:
                if codec.symbols.by_id.get(kind) == "journal_closed":
                    state = SessionState.CLEAN
                    if type(seq) is int and type(stamp) is int:
                        closed = CleanClose(row, seq, stamp, _opened_row(db, codec, device, seq))
                break
    return PreviousSession(state, ident, ts, where, closed)


def _opened_row(db: sqlite3.Connection, codec: RowCodec, device: int, below_seq: int) -> int:
    kinds = [codec.symbols.by_text.get(k) for k in ("journal_opened", "journal_reopened")]
    ids = [k for k in kinds if k is not None]
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    found = db.execute(
        f"SELECT id FROM records WHERE stream = ? AND seq < ? AND kind IN ({marks}) "
        "ORDER BY seq DESC LIMIT 1",
        (device, below_seq, *ids),
    ).fetchone()
    return int(found[0]) if found else 0
