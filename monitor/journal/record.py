"""The record every part shares: a reading or an event of one stream, chained by its hashes.

Names and values are checked here, once, when a record is made by this software; records read
back from a file are taken as they are and judged by the verifier instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from monitor.journal.errors import RecordError

FieldValue = str | int | float | bool
"""A field value as stored; ``None`` given on input means "no value" and is dropped."""

Fields = dict[str, FieldValue]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_STREAM_LEN = 200
MAX_FIELDS = 100
MAX_STRING_BYTES = 65_536

# Names used by every sink as columns of their own (InfluxDB's ``time``, the chain's parts):
# a field with one of these names would be ambiguous once a record is flattened.
RESERVED_FIELD_NAMES = frozenset({"stream", "seq", "ts", "kind", "hash", "prev_hash", "time"})

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_STREAM = re.compile(r"[!-~]{1,200}")  # MAX_STREAM_LEN


@dataclass(frozen=True, slots=True)
class Record:
    """One chained record.

    ``hash`` is SHA-256(prev_hash ‖ canonical bytes). ``prev_hash`` is the hash of the record
    with ``seq - 1`` in the same stream (a genesis value for ``seq`` 1), or ``None`` when the
    source does not carry it: the SQLite journal does not store it, since it is the previous
    record's hash. ``fields`` never holds ``None``; treat it as read-only.
    """

    stream: str
    seq: int
    ts: int
    kind: str
    fields: Mapping[str, FieldValue]
    hash: bytes
    prev_hash: bytes | None = None

    @property
    def location(self) -> str:
        """``stream#seq``, the way findings and messages name a record."""
        return f"{self.stream}#{self.seq}"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A stored row or bundle line that cannot be read as a record, kept so it is reported.

    ``stream``, ``seq`` and ``hash`` are whatever could still be read of it; ``where`` names
    the row or line and ``reason`` says what is wrong.
    """

    stream: str | None
    seq: int | None
    hash: bytes | None
    where: str
    reason: str


def check_stream(stream: object) -> str:
    """The stream id, or ``RecordError``: 1 to 200 printable ASCII characters, no spaces."""
    if not isinstance(stream, str) or not _STREAM.fullmatch(stream):
        raise RecordError(
            f"stream id {stream!r}: use 1 to {MAX_STREAM_LEN} printable ASCII characters "
            "without spaces"
        )
    return stream


def check_kind(kind: object) -> str:
    """The kind, or ``RecordError``: lower-case letters, digits and '_', starting with a letter."""
    if not isinstance(kind, str) or not _NAME.fullmatch(kind):
        raise RecordError(
            f"record kind {kind!r}: use 1 to 64 lower-case letters, digits or '_', "
            "starting with a letter"
        )
    return kind


def check_ts(ts: object) -> int:
    """A UTC stamp in integer nanoseconds, 0 to 2**63 - 1."""
    if type(ts) is not int or not 0 <= ts <= INT64_MAX:
        raise RecordError(f"time stamp {ts!r}: must be integer UTC nanoseconds >= 0")
    return ts


def normalise_fields(fields: Mapping[str, FieldValue | None]) -> Fields:
    """A checked copy of ``fields``: ``None`` dropped, ``-0.0`` made ``0.0``; else ``RecordError``.

    A ``None`` value and an absent field are the same record: InfluxDB has no null, so the
    only representation that survives every sink is absence.
    """
    if len(fields) > MAX_FIELDS:
        raise RecordError(f"{len(fields)} fields: a record holds at most {MAX_FIELDS}")
    out: Fields = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise RecordError(
                f"field name {name!r}: use 1 to 64 lower-case letters, digits or '_', "
                "starting with a letter"
            )
        if name in RESERVED_FIELD_NAMES:
            raise RecordError(f"field name {name!r} is reserved for the record itself")
        if value is None:
            continue
        out[name] = check_value(name, value)
    return out


def check_value(name: str, value: object) -> FieldValue:
    """One field value as a plain ``bool``, ``int``, ``float`` or ``str``, checked.

    Enum members become their plain values; floats must be finite (``-0.0`` becomes ``0.0``);
    integers must fit in 64 bits; text must be valid Unicode without NUL.
    """
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        number = int(value)
        if not INT64_MIN <= number <= INT64_MAX:
            raise RecordError(f"field {name}: integer {number} does not fit in 64 bits")
        return number
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordError(f"field {name}: {value!r} is not a finite number")
        return float(value) + 0.0
    if isinstance(value, str):
        text = str.__str__(value)
        if "\x00" in text:
            raise RecordError(f"field {name}: text must not contain NUL characters")
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise RecordError(f"field {name}: text is not valid Unicode") from None
        if size > MAX_STRING_BYTES:
            raise RecordError(f"field {name}: text of {size} bytes, at most {MAX_STRING_BYTES}")
        return text
    raise RecordError(
        f"field {name}: {type(value).__name__} values cannot be recorded "
        "(use str, int, float, bool or None)"
    )
