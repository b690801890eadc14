"""The machines' state as a journal record, so that a restart resumes instead of starting over.

A ``machine_state`` record of the ``device`` stream holds every machine's state as JSON
(split over fields ``part_000``, ``part_001`` … since a text field holds 64 KiB at most).
It is signed and chained like every record: the state a restart takes back is proven too.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.journal import DEVICE_STREAM, Journal, Record
from monitor.journal.record import MAX_FIELDS, MAX_STRING_BYTES

MACHINE_STATE = "machine_state"
_PART = MAX_STRING_BYTES // 4  # characters: a JSON text is ASCII, but keep a margin


def journal_machine_state(journal: Journal, state: dict[str, Any], ts: int) -> Record:
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    parts = [text[i : i + _PART] for i in range(0, len(text), _PART)] or [""]
    if len(parts) > MAX_FIELDS - 1:
        raise ValueError(f"machine state of {len(text)} bytes does not fit one record")
    fields: dict[str, str | int] = {f"part_{i:03d}": part for i, part in enumerate(parts)}
    fields["parts"] = len(parts)
    return journal.append_event(DEVICE_STREAM, MACHINE_STATE, fields, ts=ts)


def machine_state_of(record: Record) -> dict[str, Any]:
    """The state a ``machine_state`` record holds; ``ValueError`` when it is not whole."""
    count = record.fields.get("parts")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"machine_state record {record.seq} has no part count")
    parts = [record.fields.get(f"part_{i:03d}") for i in range(count)]
    if not all(isinstance(p, str) for p in parts):
        raise ValueError(f"machine_state record {record.seq} misses a part")
    data = json.loads("".join(str(p) for p in parts))
    if not isinstance(data, dict):
        raise ValueError(f"machine_state record {record.seq} is not a mapping")
    return data
