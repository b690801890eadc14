"""Points back to records: exactly the record that was written, or what can be read of it.

Nothing but the point's own ``stream``, ``kind`` and ``probe`` tags and its fields makes the
record; context tags are ignored, and so are fields this schema does not write. A point
that cannot be read becomes an ``Unreadable`` entry, which verification reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from monitor.influx.lineparse import PointData, PointValue, parse_lines
from monitor.influx.schema import (
    HASH_FIELD,
    KIND_TAG,
    PAYLOAD_FIELD,
    PREV_HASH_FIELD,
    PROBE_TAG,
    PROMOTED_FIELDS,
    SEQ_FIELD,
    STREAM_TAG,
    TS_FIELD,
)
from monitor.journal.record import FieldValue, Record, Unreadable


class _Unreadable(Exception):
    """Internal: why a point cannot be read."""


def point_record(point: PointData) -> Record | Unreadable:
    """The record a point holds."""
    tags, values = point.tags, point.fields
    stream = tags.get(STREAM_TAG)
    seq = values.get(SEQ_FIELD)
    seq = seq if type(seq) is int else None
    where = f"{point.measurement} point at time {point.time}"
    try:
        hash_ = _bytes(values.get(HASH_FIELD), HASH_FIELD)
    except _Unreadable as exc:
        return Unreadable(stream, seq, None, where, str(exc))
    if stream is None or seq is None or hash_ is None:
        return Unreadable(stream, seq, hash_, where, "its stream tag, seq or hash is missing")
    try:
        promoted = PROMOTED_FIELDS.get(point.measurement)
        if promoted is None:
            raise _Unreadable(f"measurement {point.measurement!r} is not a lactamon measurement")
        kind = tags.get(KIND_TAG)
        ts = values.get(TS_FIELD)
        if kind is None or type(ts) is not int:
            raise _Unreadable("its kind tag or ts field is missing")
        fields = _payload(values.get(PAYLOAD_FIELD))
        probe = tags.get(PROBE_TAG)
        if probe is not None:
            _put(fields, PROBE_TAG, probe)
        for name, expected in promoted.items():
            if name in values:
                _put(fields, name, _typed(name, values[name], expected))
        prev_hash = _bytes(values.get(PREV_HASH_FIELD), PREV_HASH_FIELD)
    except _Unreadable as exc:
        return Unreadable(stream, seq, hash_, where, str(exc))
    return Record(stream, seq, ts, kind, fields, hash_, prev_hash)


def records_from_line_protocol(text: str) -> list[Record | Unreadable]:
    """The records of line protocol text, e.g. ``influx_inspect export -lponly`` output.

    Points of other measurements are left out; ``LineProtocolError`` for text that is not
    line protocol.
    """
    points = (p for p in parse_lines(text) if p.measurement in PROMOTED_FIELDS)
    return unique_records(point_record(point) for point in points)


def unique_records(entries: Iterable[Record | Unreadable]) -> list[Record | Unreadable]:
    """Entries sorted by stream and seq, each exact copy kept once.

    A record is stored twice when a replay met different context tags (a new series);
    both copies are the same record. Records that differ are all kept, for the verifier.
    """
    seen: set[tuple[Any, ...]] = set()
    out: list[Record | Unreadable] = []
    for entry in entries:
        if isinstance(entry, Record):
            key: tuple[Any, ...] = (
                "r",
                entry.stream,
                entry.seq,
                entry.ts,
                entry.kind,
                tuple(sorted((n, type(v).__name__, repr(v)) for n, v in entry.fields.items())),
                entry.hash,
                entry.prev_hash,
            )
        else:
            key = ("u", entry.stream, entry.seq, entry.hash, entry.where, entry.reason)
        if key not in seen:
            seen.add(key)
            out.append(entry)
    out.sort(key=lambda e: (e.stream or "", e.seq if e.seq is not None else -1))
    return out


def _payload(value: PointValue | None) -> dict[str, FieldValue]:
    if value is None:
        return {}
    if not isinstance(value, str):
        raise _Unreadable(f"field {PAYLOAD_FIELD} is not text")
    try:
        loaded = json.loads(value, parse_constant=_no_constant)
    except ValueError as exc:
        raise _Unreadable(f"field {PAYLOAD_FIELD} is not valid JSON ({exc})") from None
    if not isinstance(loaded, dict):
        raise _Unreadable(f"field {PAYLOAD_FIELD} is not a JSON object")
    for name, item in loaded.items():
        if type(item) not in (str, int, float, bool):
            raise _Unreadable(f"{PAYLOAD_FIELD} field {name} holds {type(item).__name__}")
    return loaded


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a finite number")


def _put(fields: dict[str, FieldValue], name: str, value: FieldValue) -> None:
    if name in fields:
        raise _Unreadable(f"field {name} is stored twice")
    fields[name] = value


def _typed(name: str, value: PointValue, expected: type) -> FieldValue:
    """A typed InfluxDB field as the record held it; JSON writes a whole float as ``60``."""
    if expected is float and type(value) in (float, int):
        return float(value)
    if type(value) is expected:
        return value
    raise _Unreadable(f"field {name} holds {type(value).__name__}, not {expected.__name__}")


def _bytes(value: PointValue | None, name: str) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Unreadable(f"field {name} is not text")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise _Unreadable(f"field {name} is not hexadecimal") from None
