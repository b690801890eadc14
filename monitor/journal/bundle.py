"""Lot bundles: whole streams in one JSON Lines file an inspector can check anywhere.

Line 1 is the header, signed by the device key (``bundle_signing``); every other line is one
record with its typed fields as canonical text (see README.md, "Bundle format"). Numbers that
may exceed 2**53 (``ts``) are written as decimal strings so that no JSON reader rounds them.
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
VERSION = 2  # 1: the header was not signed and did not name the sealed streams
VERSIONS = (1, 2)
CANONICAL = "lactamon-record-1"
_TAGS = {"s", "i", "f", "b"}


@dataclass(frozen=True, slots=True)
class BundleHeader:
    """What line 1 says; ``signature`` is empty when the header carries none."""

    lot: str
    keys: dict[str, str]  # key id -> raw public key, base64
    key_id: str  # the key that signs the header
    heads: dict[str, tuple[int, str]]  # stream -> (head seq, head hash hex) at export
    created_ns: int
    sealed: frozenset[str] = frozenset()  # streams the journal had sealed at export
    signature: str = ""  # base64 Ed25519 signature of bundle_signing.header_signed_bytes
    version: int = VERSION


def header_line(header: BundleHeader) -> str:
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "canonical": CANONICAL,
        "created_ns": str(header.created_ns),
        "lot": header.lot,
        "key_id": header.key_id,
        "public_key": header.keys.get(header.key_id, ""),
        "keys": [{"key_id": k, "public_key": v} for k, v in sorted(header.keys.items())],
        "streams": [
            {"stream": s, "head_seq": seq, "head_hash": h, "sealed": s in header.sealed}
            for s, (seq, h) in sorted(header.heads.items())
        ],
    }
    if header.signature:
        data["signature"] = header.signature
    return _dump(data)


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


def write_bundle(
    out_path: Path,
    header: BundleHeader,
    streams: Iterator[list[Record]],
    kept: list[Record] | None = None,
) -> int:
    """Write the bundle atomically (never over an existing file); returns the record count.

    ``kept`` receives every record written, in file order, for a caller that shows them next
    (a dossier): the bundle is then not read back, which halves the time to the document."""
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
                if kept is not None:
                    kept.extend(records)
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
        # Only "\n" ends a line: a text field may hold U+2028 or U+0085, which splitlines()
        # would also split at.
        lines = path.read_text(encoding="utf-8").split("\n")
        lines = [line.removesuffix("\r") for line in lines]
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: cannot read the bundle ({exc})") from None
    if not any(line.strip() for line in lines):
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
        version = data.get("version")
        if version not in VERSIONS or type(version) is not int:
            raise BundleError(f"{path}: bundle version {version!r}, expected {VERSION}")
        keys = {str(k["key_id"]): str(k["public_key"]) for k in data.get("keys", [])}
        key_id, public = str(data["key_id"]), data.get("public_key")
        if public and keys.setdefault(key_id, str(public)) != public:
            raise ValueError(f"two public keys for key id {key_id}")
        heads = {
            str(s["stream"]): (int(s["head_seq"]), str(s["head_hash"])) for s in data["streams"]
        }
        sealed = frozenset(str(s["stream"]) for s in data["streams"] if _sealed(s, version))
        signature = data.get("signature", "")
        if not isinstance(signature, str):
            raise ValueError("the signature is not text")
        created = int(data["created_ns"])
        header = BundleHeader(
            str(data["lot"]), keys, key_id, heads, created, sealed, signature, version
        )
        # The signature covers what the header says, not how it is spelled: a header written
        # any other way than the writer writes it (a key added, a number as text) says more
        # or other than what was signed, and is refused.
        if version == VERSION and json.loads(header_line(header)) != data:
            raise BundleError(f"{path}: the bundle header is not as the device writes it: "
                              "a key was added, removed or respelled")  # fmt: skip
        return header
    except BundleError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{path}: the bundle header cannot be read ({exc!r})") from None


def _sealed(entry: dict[str, Any], version: int) -> bool:
    if version == 1:
        return False  # the first version did not say
    sealed = entry["sealed"]
    if type(sealed) is not bool:
        raise ValueError(f"stream {entry.get('stream')!r}: sealed is not true or false")
    return sealed


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
