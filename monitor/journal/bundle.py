"""Lot bundles: whole streams in one JSON Lines file an inspector can check anywhere.

Line 1 is the header; every other line is one record with its typed fields as canonical text
(see README.md, "Bundle format"). Numbers that may exceed 2**53 (``ts``) are written as
decimal strings so that no JSON reader rounds them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.journal.canonical import encode_value
from monitor.journal.errors import BundleError
from monitor.journal.record import FieldValue, Record, Unreadable

FORMAT = "lactamon-bundle"
VERSION = 1
CANONICAL = "lactamon-record-1"
_TAGS = {"s", "i", "f", "b"}


@dataclass(frozen=True, slots=True)
class BundleHeader:
    lot: str
    keys: dict[str, str]  # key id -> raw public key, base64
    key_id: str
    heads: dict[str, tuple[int, str]]  # stream -> (head seq, head hash hex) at export
    created_ns: int


def header_line(header: BundleHeader) -> str:
    return _dump(
        {
            "format": FORMAT,
            "version": VERSION,
            "canonical": CANONICAL,
            "created_ns": str(header.created_ns),
            "lot": header.lot,
            "key_id": header.key_id,
            "public_key": header.keys.get(header.key_id, ""),
            "keys": [{"key_id": k, "public_key": v} for k, v in sorted(header.keys.items())],
            "streams": [
                {"stream": s, "head_seq": seq, "head_hash": h}
                for s, (seq, h) in sorted(header.heads.items())
            ],
        }
    )


def record_line(record: Record) -> str:
    fields = {}
    for name in sorted(record.fields):
        item = encode_value(record.fields[name]).decode("utf-8")
        fields[name] = [item[0], item.partition(":")[2]]
    return _dump(
        {
            "stream": record.stream,
            "seq": record.seq,
            "ts": str(record.ts),
            "kind": record.kind,
            "fields": fields,
            "prev_hash": record.prev_hash.hex() if record.prev_hash is not None else None,
            "hash": record.hash.hex(),
        }
    )


def write_bundle(out_path: Path, header: BundleHeader, streams: Iterator[list[Record]]) -> int:
    """Write the bundle atomically (never over an existing file); returns the record count."""
    if out_path.exists():
        raise BundleError(f"{out_path}: already exists; a bundle is never overwritten")
    temporary = out_path.with_name(out_path.name + ".partial")
    count = 0
    try:
        with temporary.open("x", encoding="utf-8") as out:
            out.write(header_line(header) + "\n")
            for records in streams:
                for record in records:
                    out.write(record_line(record) + "\n")
                    count += 1
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, out_path)  # fails, rather than replaces, if out_path appeared
    except OSError as exc:
        raise BundleError(f"{out_path}: cannot write the bundle ({exc.strerror or exc})") from None
    finally:
        temporary.unlink(missing_ok=True)
    return count


def read_bundle(path: Path) -> tuple[BundleHeader, list[Record | Unreadable]]:
    """The header (``BundleError`` if unreadable) and every line as a record or as unreadable."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: cannot read the bundle ({exc})") from None
    if not lines:
        raise BundleError(f"{path}: empty file, not a lactamon bundle")
    header = _header(path, lines[0])
    numbered = enumerate(lines[1:], start=2)
    entries = [parse_record_line(line, n) for n, line in numbered if line.strip()]
    return header, entries


def _header(path: Path, line: str) -> BundleHeader:
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BundleError(f"{path}: not a lactamon bundle (no '{FORMAT}' header)")
        if data.get("version") != VERSION:
            raise BundleError(f"{path}: bundle version {data.get('version')!r}, expected {VERSION}")
        keys = {str(k["key_id"]): str(k["public_key"]) for k in data.get("keys", [])}
        if data.get("public_key"):
            keys.setdefault(str(data["key_id"]), str(data["public_key"]))
        heads = {
            str(s["stream"]): (int(s["head_seq"]), str(s["head_hash"])) for s in data["streams"]
        }
        return BundleHeader(
            str(data["lot"]), keys, str(data["key_id"]), heads, int(data["created_ns"])
        )
    except BundleError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{path}: the bundle header cannot be read ({exc!r})") from None


def parse_record_line(line: str, n: int) -> Record | Unreadable:
    """Line ``n`` of a bundle as a record, or what can be read of it."""
    where = f"line {n}"
    try:
        data = json.loads(line)
    except ValueError:
        return Unreadable(None, None, None, where, "not JSON")
    if not isinstance(data, dict):
        return Unreadable(None, None, None, where, "not a JSON object")
    stream, seq = data.get("stream"), data.get("seq")
    stream = stream if isinstance(stream, str) else None
    seq = seq if type(seq) is int else None
    hash_ = _hex(data.get("hash"))
    try:
        if stream is None or seq is None or hash_ is None:
            raise ValueError("its stream, seq or hash cannot be read")
        ts, kind = data["ts"], data["kind"]
        if not isinstance(ts, str) or not ts.isdigit() or not isinstance(kind, str):
            raise ValueError("its ts or kind cannot be read")
        prev = data.get("prev_hash")
        prev_hash = None if prev is None else _hex(prev)
        if prev is not None and prev_hash is None:
            raise ValueError("its prev_hash is not hexadecimal")
        fields = {name: _value(name, typed) for name, typed in dict(data["fields"]).items()}
        if set(data) - {"stream", "seq", "ts", "kind", "fields", "prev_hash", "hash"}:
            raise ValueError("it has keys a record does not have")
    except (ValueError, KeyError, TypeError) as exc:
        return Unreadable(stream, seq, hash_, where, str(exc))
    return Record(stream, seq, int(ts), kind, fields, hash_, prev_hash)


def _value(name: str, typed: Any) -> FieldValue:
    """A field from ``[tag, canonical text]``; text not in canonical form is refused."""
    if not isinstance(name, str) or not isinstance(typed, list) or len(typed) != 2:
        raise ValueError(f"field {name!r} is not a [type, text] pair")
    tag, text = typed
    if tag not in _TAGS or not isinstance(text, str):
        raise ValueError(f"field {name!r} has an unknown type {tag!r}")
    value: FieldValue
    if tag == "s":
        value = text
    elif tag == "b":
        value = {"true": True, "false": False}[text]
    elif tag == "i":
        value = int(text)
    else:
        value = float(text)
    if encode_value(value).decode("utf-8").partition(":")[2] != text:
        raise ValueError(f"field {name!r}: {text!r} is not in canonical form")
    return value


def _hex(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
