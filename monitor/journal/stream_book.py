"""The writer's book of streams: where each stands, which records are unsigned, what is damaged.

A stream's state (``heads.StreamState``: its head, its seal, its records since the last
signature) is loaded from the file the first time the writer touches the stream, and kept
up to date by the writer at each append. The book also says which streams are due a
signature: by count at an append, by age at a commit, and every stream with unsigned
records at a clean close.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.journal.heads import StreamState, load_stream_state
from monitor.journal.keys import DeviceKey
from monitor.journal.rowcodec import RowCodec
from monitor.journal.schema import translate
from monitor.journal.signing import CHECKPOINT, SEAL


class StreamBook:
    """Every stream the writer touched this session."""

    def __init__(self, key: DeviceKey) -> None:
        self.key = key
        self.states: dict[str, StreamState] = {}
        self.unsigned: set[str] = set()  # streams with records after their last signature
        # Streams found altered in the file when first appended to (stream -> what was found);
        # the writer records each as a ``stream_damaged`` event of the device stream.
        self.damaged: dict[str, str] = {}

    def known(self, stream: str, codec: RowCodec) -> bool:
        """Whether ``stream`` exists, in the file or in this session, without creating it."""
        return stream in self.states or stream in codec.streams.by_text

    def load(
        self, db: sqlite3.Connection, codec: RowCodec, stream: str, path: Path, now: float
    ) -> StreamState:
        """The state of a stream not touched yet this session, from the file."""
        try:
            state = load_stream_state(db, codec, stream, self.key, now)
        except sqlite3.Error as exc:
            raise translate(exc, path, f"read stream {stream}") from None
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
        return [s for s in states if s.unsigned]
