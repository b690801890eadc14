"""The canonical bytes of a record and its chain hash: the open format README.md specifies.

Every item is written ``<tag><byte length>:<payload>``, so the encoding is unambiguous without
escaping and an inspector can rebuild it in a few lines of any language. Tags: ``s`` text
(UTF-8), ``i`` integer (decimal), ``f`` float (Python ``repr``: shortest text that reads back
to the same double), ``b`` boolean (``true``/``false``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from math import isfinite

from monitor.journal.errors import RecordError
from monitor.journal.record import FieldValue, Record

GENESIS_PREFIX = b"lactamon genesis 1\n"
SIGNATURE_PREFIX = b"lactamon signature 1\n"
HASH_SIZE = 32

_sha256 = hashlib.sha256
_TRUE = b"b4:true"
_FALSE = b"b5:false"
# Stream ids, kinds, field names and probe ids repeat endlessly: encode each once.
_cache: dict[str, bytes] = {}
_CACHE_MAX_ENTRIES = 8192
_CACHE_MAX_CHARS = 96


def encode_text(text: str) -> bytes:
    """``s<len>:<utf-8>``."""
    encoded = _cache.get(text)
    if encoded is None:
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            raise RecordError(f"text {text!r} is not valid Unicode") from None
        encoded = b"s%d:%b" % (len(raw), raw)
        if len(text) <= _CACHE_MAX_CHARS:
            if len(_cache) >= _CACHE_MAX_ENTRIES:
                _cache.clear()
            _cache[text] = encoded
    return encoded


def encode_int(number: int) -> bytes:
    """``i<len>:<decimal>``."""
    digits = b"%d" % number
    return b"i%d:%b" % (len(digits), digits)


_COUNTS = [encode_int(n) for n in range(128)]


def encode_float(number: float) -> bytes:
    """``f<len>:<repr>``; NaN and infinities have no canonical form and are refused."""
    if not math.isfinite(number):
        raise RecordError(f"{number!r} is not a finite number and cannot be encoded")
    text = repr(number).encode("ascii")
    return b"f%d:%b" % (len(text), text)


def encode_value(value: FieldValue) -> bytes:
    """One typed field value; ``bool`` is tested first, being a kind of ``int`` in Python."""
    if isinstance(value, str):
        return encode_text(value)
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, float):
        return encode_float(value)
    if isinstance(value, int):
        return encode_int(value)
    raise RecordError(f"a {type(value).__name__} value has no canonical form")


def canonical_bytes(
    stream: str, seq: int, ts: int, kind: str, fields: Mapping[str, FieldValue]
) -> bytes:
    """stream, seq, ts, kind, field count, then each field name and value by sorted name."""
    # The loop is written out, not built from encode_value, because it runs for every
    # record written and verified.
    cache = _cache
    seq_text, ts_text, count = b"%d" % seq, b"%d" % ts, len(fields)
    parts = [
        cache.get(stream) or encode_text(stream),
        b"i%d:%b" % (len(seq_text), seq_text),
        b"i%d:%b" % (len(ts_text), ts_text),
        cache.get(kind) or encode_text(kind),
        _COUNTS[count] if count < len(_COUNTS) else encode_int(count),
    ]
    append = parts.append
    for name in sorted(fields):
        append(cache.get(name) or encode_text(name))
        value = fields[name]
        if isinstance(value, float):
            if not isfinite(value):
                raise RecordError(f"{value!r} is not a finite number and cannot be encoded")
            text = repr(value).encode("ascii")
            append(b"f%d:%b" % (len(text), text))
        elif isinstance(value, str):
            append(cache.get(value) or encode_text(value))
        else:
            append(encode_value(value))
    return b"".join(parts)


def record_canonical(record: Record) -> bytes:
    return canonical_bytes(record.stream, record.seq, record.ts, record.kind, record.fields)


def chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    """SHA-256(prev_hash ‖ canonical)."""
    return _sha256(prev_hash + canonical).digest()


def genesis_hash(stream: str) -> bytes:
    """What the first record of ``stream`` chains from: SHA-256("lactamon genesis 1\\n" ‖ id)."""
    return _sha256(GENESIS_PREFIX + stream.encode("utf-8")).digest()


def signed_bytes(record: Record) -> bytes:
    """What a checkpoint or seal signs: a prefix, then its canonical bytes minus ``signature``."""
    fields = {name: value for name, value in record.fields.items() if name != "signature"}
    body = canonical_bytes(record.stream, record.seq, record.ts, record.kind, fields)
    return SIGNATURE_PREFIX + body
