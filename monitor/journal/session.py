"""How the last writer session ended, read from the ``device`` stream of the journal.

A clean ``close()`` appends ``journal_closed`` to ``device`` and then only checkpoints; so the
last ``device`` record that is not a checkpoint is ``journal_closed`` exactly when the last
session closed cleanly. The next session opens with ``journal_opened``, or with
``journal_reopened`` (the gap record) after an unclean end such as a crash or a power cut.

``closed`` says where the last ``journal_closed`` is, where the session it closed began and
where the next one did, if one did: between a close and the next opening record no writer
runs, and the writer's check at its opening looks for records stored there.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from monitor.journal.journal_kinds import CHECKPOINT
from monitor.journal.record import Fields
from monitor.journal.rowcodec import RowCodec
from monitor.journal.streams import DEVICE_STREAM


class SessionState(StrEnum):
    NEW = "new"  # no session before: the journal was just created
    CLEAN = "clean"
    UNCLEAN = "unclean"


OPENINGS = ("journal_opened", "journal_reopened")


@dataclass(frozen=True, slots=True)
class LastClose:
    """The last ``journal_closed`` record (row, seq, time), with the rows of the opening
    records before and after it."""

    row: int
    seq: int
    ts: int
    opened_row: int  # 0 when no opening record is found before it
    next_opening_row: int | None  # None: no session opened after it

    def stored_after(self, row: int) -> bool:
        """Whether ``row`` lies between the close and the next opening: no writer made it."""
        return self.row < row and (self.next_opening_row is None or row < self.next_opening_row)


@dataclass(frozen=True, slots=True)
class PreviousSession:
    """The end of the last session, and the last record it committed."""

    state: SessionState
    last_record_id: int | None = None
    last_record_ts: int | None = None
    last_record: str | None = None  # "stream#seq"
    closed: LastClose | None = None

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
    state = SessionState.UNCLEAN
    if device is not None:
        kinds = db.execute(
            "SELECT kind FROM records WHERE stream = ? ORDER BY seq DESC LIMIT 1000", (device,)
        )
        for (kind,) in kinds:
            if kind != checkpoint:
                if codec.symbols.by_id.get(kind) == "journal_closed":
                    state = SessionState.CLEAN
                break
    closed = None if device is None else last_close(db, codec, device)
    return PreviousSession(state, ident, ts, where, closed)


def last_close(db: sqlite3.Connection, codec: RowCodec, device: int) -> LastClose | None:
    """The last ``journal_closed`` of ``device`` and the opening records around it."""
    kind = codec.symbols.by_text.get("journal_closed")
    sql = "SELECT id, seq, ts FROM records WHERE stream = ? AND kind = ? ORDER BY seq DESC LIMIT 1"
    found = db.execute(sql, (device, kind)).fetchone() if kind is not None else None
    if found is None or type(found[1]) is not int or type(found[2]) is not int:
        return None
    row, seq, stamp = int(found[0]), found[1], found[2]
    ids = [i for i in map(codec.symbols.by_text.get, OPENINGS) if i is not None]
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT id FROM records WHERE stream = ? AND seq {{}} ? AND kind IN ({marks}) "
        "ORDER BY seq {} LIMIT 1"
    )
    before = db.execute(sql.format("<", "DESC"), (device, seq, *ids)).fetchone()
    after = db.execute(sql.format(">", "ASC"), (device, seq, *ids)).fetchone()
    return LastClose(
        row, seq, stamp, int(before[0]) if before else 0, int(after[0]) if after else None
    )
