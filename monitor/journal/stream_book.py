"""The writer's book of streams: where each stands, which records are unsigned, what is damaged.

A stream's state (``heads.StreamState``: its head, its seal, its records since the last
signature) is loaded from the file the first time the writer touches the stream, and kept
up to date by the writer at each append. When the journal opens, ``open_check`` loads at once
every stream with records after its last signature, and every stream with rows stored between
the last close and the next opening (no writer ran then), so that their damage is found
before anything is appended. The book also says which
streams are due a signature: by count at an append, by age at a commit, and every stream with
unsigned records at a clean close.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.heads import StreamState, load_stream_state
from monitor.journal.keys import DeviceKey
from monitor.journal.record import Fields
from monitor.journal.rowcodec import LOST_STREAM, RowCodec
from monitor.journal.schema import translate
from monitor.journal.session import LastClose
from monitor.journal.signing import CHECKPOINT, SEAL, SIGNED_KINDS
from monitor.journal.storage import JournalFile
from monitor.journal.streams import DEVICE_STREAM

Damage = tuple[str, int, int, str]  # (stream, first seq, last seq, what was found)
_LAST_KINDS = (
    "SELECT s.id, (SELECT kind FROM records WHERE stream = s.id ORDER BY seq DESC LIMIT 1) "
    "FROM streams AS s"
)


class StreamBook:
    """Every stream the writer touched this session."""

    def __init__(
        self, key: DeviceKey, monotonic: Callable[[], float], closed: LastClose | None = None
    ) -> None:
        self.key, self.monotonic = key, monotonic
        self.keys: dict[str, Ed25519PublicKey] = {key.key_id: key.public}
        self.closed = closed  # the journal's last close
        self.states: dict[str, StreamState] = {}
        self.unsigned: set[str] = set()  # streams with records after their last signature
        # Streams found damaged in the file when loaded (stream -> what was found); the
        # writer notes each in a ``stream_damaged`` record of the stream and of ``device``.
        self.damaged: dict[str, str] = {}

    def known(self, stream: str, codec: RowCodec) -> bool:
        """Whether ``stream`` exists, in the file or in this session, without creating it."""
        return stream in self.states or stream in codec.streams.by_text

    def open_check(self, file: JournalFile, codec: RowCodec) -> list[Damage]:
        """Load the streams whose unsigned records must be checked before anything is
        appended; returns the damage found, to be noted after the opening record."""
        db = file.db
        try:
            for key_id, raw in db.execute("SELECT key_id, public_key FROM device_keys"):
                try:
                    self.keys.setdefault(str(key_id), Ed25519PublicKey.from_public_bytes(raw))
                except (TypeError, ValueError):
                    continue
            signed = {codec.symbols.by_text.get(kind) for kind in SIGNED_KINDS}
            names = {DEVICE_STREAM}
            for stream_id, kind in db.execute(_LAST_KINDS).fetchall():
                if kind is not None and kind not in signed:
                    names.add(codec.streams.by_id[stream_id])
            loose: list[tuple[int, str]] = []  # (row, what was found)
            if self.closed is not None:
                sql = "SELECT stream, id FROM records WHERE id > ? AND id < ? ORDER BY id"
                until = self.closed.next_opening_row or sys.maxsize
                for stream_id, row in db.execute(sql, (self.closed.row, until)).fetchall():
                    name = codec.streams.by_id.get(stream_id)
                    if name is not None:
                        names.add(name)
                    else:
                        text = (
                            f"row {row} was stored after the journal was closed "
                            f"(device#{self.closed.seq}), under a stream id that names no stream"
                        )
                        loose.append((int(row), text))
        except sqlite3.Error as exc:
            raise translate(exc, file.path, "check the records not signed yet") from None
        states = [self.load(file, codec, name) for name in sorted(names)]
        if loose:
            self.damaged[LOST_STREAM] = "; ".join(text for _, text in loose[:3])
        return self.damage_of(states) + [(LOST_STREAM, row, row, text) for row, text in loose]

    @staticmethod
    def damage_of(states: list[StreamState]) -> list[Damage]:
        """What the states say they found: (stream, first seq, last seq, problem)."""
        return [
            (s.name, *(s.damaged or (s.seq, s.seq)), s.problem)
            for s in states
            if s.problem is not None
        ]

    def notes(self, found: Iterable[Damage]) -> list[tuple[str, Fields]]:
        """Where to append the ``stream_damaged`` records that name each damage, and their
        fields: in ``device``, and first in the stream itself when the damage is after its
        last signature, so that the next checkpoint signs the note with it, never the damage
        alone (a sealed stream takes nothing: it is never signed again)."""
        notes: list[tuple[str, Fields]] = []
        for stream, first_seq, last_seq, problem in found:
            fields: Fields = {"stream": stream, "problem": problem, "first_seq": first_seq,
                              "last_seq": last_seq}  # fmt: skip
            state = self.states.get(stream)
            if (
                state is not None
                and stream != DEVICE_STREAM
                and not state.sealed
                and last_seq > state.seq - state.unsigned
            ):
                notes.append((stream, fields))
            notes.append((DEVICE_STREAM, dict(fields)))
        return notes

    def load(self, file: JournalFile, codec: RowCodec, stream: str) -> StreamState:
        """The state of a stream not touched yet this session, from the file."""
        now = self.monotonic()
        try:
            state = load_stream_state(file.db, codec, stream, self.keys, now, self.closed)
        except sqlite3.Error as exc:
            raise translate(exc, file.path, f"read stream {stream}") from None
        self.states[stream] = state
        if state.unsigned:
            self.unsigned.add(stream)
        if state.problem is not None:
            self.damaged[stream] = state.problem
        return state

    def appended(self, state: StreamState, kind: str, now: float, sign_every: int) -> bool:
        """Account for the record just chained to ``state``; True when the stream is due a
        checkpoint because ``sign_every`` records wait unsigned."""
        if kind in (SEAL, CHECKPOINT):
            state.unsigned = 0
            state.sealed = kind == SEAL
            self.unsigned.discard(state.name)
            return False
        if not state.unsigned:
            state.unsigned_since = now
            self.unsigned.add(state.name)
        state.unsigned += 1
        return state.unsigned >= sign_every

    def due(self, now: float, max_age_s: float) -> list[StreamState]:
        """Streams whose oldest unsigned record is ``max_age_s`` old, in name order."""
        return [s for s in self.waiting() if now - s.unsigned_since >= max_age_s]

    def waiting(self) -> list[StreamState]:
        """Streams with unsigned records, in name order."""
        states = (self.states[name] for name in sorted(self.unsigned))
        return [s for s in states if s.unsigned and not s.sealed]
