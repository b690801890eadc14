"""A cycle's view as text: what the child prints and what a view's file holds after its
signature, two lines of JSON.

The first line is the head of the cycle's stream as it was read (``seq``, ``hash``) with the
cycle's name and its events (every record but the readings); the second is the curve
(``curve_json``), as the chart fetches it. Only the journal's own modules are imported: the
child that writes this text starts with as little as it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from monitor.journal.journal_kinds import SEAL
from monitor.journal.record import Record

Head = tuple[int, bytes]


@dataclass(frozen=True, slots=True)
class CycleView:
    head: Head  # what the child read: the stream up to this record
    events: list[Record]  # every record of the stream that is not a reading, by seq
    curve: bytes  # ``curve_json`` as JSON, as the chart fetches it

    @property
    def sealed(self) -> bool:
        """Whether the stream ended with its seal when it was read: its head never moves again."""
        last = self.events[-1] if self.events else None
        return last is not None and last.kind == SEAL and last.seq == self.head[0]


def encode_view(cycle: str, head: Head, events: list[Record], curve: bytes) -> bytes:
    top = {
        "cycle": cycle,
        "seq": head[0],
        "hash": head[1].hex(),
        "events": [
            {"seq": r.seq, "ts": r.ts, "kind": r.kind, "fields": dict(r.fields),
             "hash": r.hash.hex()}
            for r in events
        ],
    }  # fmt: skip
    return json.dumps(top, ensure_ascii=False).encode() + b"\n" + curve + b"\n"


def decode_view(cycle: str, text: bytes) -> CycleView:
    """The view of ``cycle`` in ``text``; ``ValueError`` for text that is not one."""
    try:
        top_line, curve = text.split(b"\n", 1)
        top = json.loads(top_line)
        if top["cycle"] != cycle:
            raise ValueError(f"the view of {top['cycle']!r}, not of {cycle!r}")
        events = [_record(cycle, e) for e in top["events"]]
        head = (_int(top["seq"]), bytes.fromhex(top["hash"]))
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a cycle's view ({type(exc).__name__}: {exc})") from None
    curve = curve.rstrip(b"\n")
    if not curve or b"\n" in curve:
        raise ValueError("not a cycle's view: no curve on its second line")
    return CycleView(head, events, curve)


def _record(cycle: str, entry: Any) -> Record:
    fields = entry["fields"]
    if not isinstance(fields, dict) or not isinstance(entry["kind"], str):
        raise TypeError("an event without a kind or fields")
    return Record(
        cycle, _int(entry["seq"]), _int(entry["ts"]), entry["kind"], fields,
        bytes.fromhex(entry["hash"]),
    )  # fmt: skip


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"{value!r} is not an integer")
    return value
