"""Records to line protocol points, following ``schema``; tag prefixes are cached per series."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from monitor.influx.errors import SchemaError
from monitor.influx.lineproto import (
    INT64_MAX,
    INT64_MIN,
    MAX_TIME_NS,
    escape_measurement,
    escape_tag,
    format_float,
    quote_string,
    tag_safe,
)
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
    measurement_for,
    point_time,
)
from monitor.influx.tags import Tagger
from monitor.journal.record import FieldValue, Record

_PrefixKey = tuple[str, str, str, str | None]
_MAX_CACHED_PREFIXES = 4096


class LineEncoder:
    """Turns records into line protocol, one line per record."""

    def __init__(self, tagger: Tagger) -> None:
        self.tagger = tagger
        self._prefixes: dict[_PrefixKey, str] = {}
        self._version = tagger.version

    def lines(self, records: Sequence[Record]) -> list[str]:
        """One line per record, in order; ``SchemaError`` names the first record that cannot
        be written."""
        lines = [self.line(record) for record in records]
        try:
            "\n".join(lines).encode("utf-8")
        except UnicodeEncodeError:
            for record, line in zip(records, lines, strict=True):
                try:
                    line.encode("utf-8")
                except UnicodeEncodeError:
                    raise SchemaError(
                        f"{_where(record)}: its text is not valid Unicode (lone surrogate)"
                    ) from None
        return lines

    def line(self, record: Record) -> str:
        """The point of ``record`` (its tags from the tagger as it stands now)."""
        self.tagger.lots.learn(record)
        for record_tag in (record.stream, record.kind):
            if type(record_tag) is not str or not tag_safe(record_tag):
                raise SchemaError(
                    f"{_where(record)}: {record_tag!r} cannot be an InfluxDB tag (stream ids and "
                    "kinds must be non-empty, without backslashes or control characters)"
                )
        seq, ts = record.seq, record.ts
        if type(seq) is not int or not 1 <= seq <= INT64_MAX:
            raise SchemaError(f"{_where(record)}: seq {seq!r} must be an integer from 1 to 2**63-1")
        if type(ts) is not int or ts < 0 or point_time(ts, seq) > MAX_TIME_NS:
            raise SchemaError(
                f"{_where(record)}: time stamp {ts!r} is outside InfluxDB's range "
                f"(0 to about {MAX_TIME_NS} ns)"
            )
        measurement = measurement_for(record.kind)
        fields = record.fields
        probe = fields.get(PROBE_TAG)
        probe_tag = probe if type(probe) is str and tag_safe(probe) else None
        parts = [f'{SEQ_FIELD}={seq}i,{TS_FIELD}={ts}i,{HASH_FIELD}="{_hex(record, "hash")}"']
        if record.prev_hash is not None:
            parts.append(f'{PREV_HASH_FIELD}="{_hex(record, "prev_hash")}"')
        promoted = PROMOTED_FIELDS[measurement]
        payload: dict[str, FieldValue] = {}
        for name, value in fields.items():
            if name == PROBE_TAG and probe_tag is not None:
                continue
            kind = promoted.get(name)
            if kind is float and type(value) is float and _plain_float(value):
                parts.append(f"{name}={format_float(value)}")
                continue
            if kind is str and type(value) is str:
                parts.append(f"{name}={quote_string(value)}")
                continue
            if kind is int and type(value) is int and INT64_MIN <= value <= INT64_MAX:
                parts.append(f"{name}={value}i")
                continue
            payload[name] = _checked(record, name, value)
        if payload:
            try:
                text = json.dumps(
                    payload,
                    ensure_ascii=False,
                    allow_nan=False,
                    separators=(",", ":"),
                    sort_keys=True,
                )
            except ValueError:
                raise SchemaError(f"{_where(record)}: a float field is not finite") from None
            parts.append(f"{PAYLOAD_FIELD}={quote_string(text)}")
        prefix = self._prefix(record, measurement, probe_tag)
        return f"{prefix} {','.join(parts)} {point_time(ts, seq)}"

    def _prefix(self, record: Record, measurement: str, probe: str | None) -> str:
        if self._version != self.tagger.version:
            self._prefixes.clear()
            self._version = self.tagger.version
        key = (measurement, record.stream, record.kind, probe)
        prefix = self._prefixes.get(key)
        if prefix is None:
            tags = dict(self.tagger.context_tags(record.stream, probe))
            tags[STREAM_TAG], tags[KIND_TAG] = record.stream, record.kind
            if probe is not None:
                tags[PROBE_TAG] = probe
            prefix = escape_measurement(measurement) + "".join(
                f",{escape_tag(name)}={escape_tag(tags[name])}" for name in sorted(tags)
            )
            if len(self._prefixes) >= _MAX_CACHED_PREFIXES:
                self._prefixes.clear()
            self._prefixes[key] = prefix
        return prefix


def _plain_float(value: float) -> bool:
    """Finite and not ``-0.0``: InfluxDB answers ``-0`` in JSON, which reads back as ``0``."""
    return math.isfinite(value) and (value != 0.0 or math.copysign(1.0, value) > 0)


def _hex(record: Record, attribute: str) -> str:
    value = getattr(record, attribute)
    if not isinstance(value, bytes):
        raise SchemaError(
            f"{_where(record)}: {attribute} must be bytes, not {type(value).__name__}"
        )
    return value.hex()


def _checked(record: Record, name: str, value: object) -> FieldValue:
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SchemaError(f"{_where(record)}: field {name} is {value!r}, not a finite number")
        return value
    raise SchemaError(
        f"{_where(record)}: field {name} holds a {type(value).__name__}; records hold only "
        "str, int, float and bool values (a None field is left out of the record)"
    )


def _where(record: Record) -> str:
    return f"record {getattr(record, 'stream', '?')}#{getattr(record, 'seq', '?')}"
