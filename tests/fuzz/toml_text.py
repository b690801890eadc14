"""A TOML writer for the settings fuzzer: any document of TOML's types back to text.

Top-level tables and arrays of tables are written as sections, as a person would write the
file; everything below them inline, which TOML allows at any depth. ``tomllib`` reads back
what this writes (the fuzzer checks it, so a mutation never tests the writer instead), but
for ``Verbatim`` values, which may be beyond what it reads.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Verbatim:
    """A value written as this TOML text: a nesting deeper than a recursive writer could
    go, an integer of more digits than Python converts, a literal of TOML's own spelling."""

    text: str


def nested(layers: str) -> Verbatim:
    """``1`` inside arrays (``[`` in ``layers``) and inline tables (``{``), outermost first."""
    opening = "".join("[" if layer == "[" else "{a = " for layer in layers)
    closing = "".join("]" if layer == "[" else "}" for layer in reversed(layers))
    return Verbatim(opening + "1" + closing)


def dumps(document: dict[str, Any]) -> str:
    head: list[str] = []
    sections: list[str] = []
    for key, value in document.items():
        if isinstance(value, dict):
            sections.append(f"\n[{_key(key)}]")
            sections += [f"{_key(k)} = {_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                sections.append(f"\n[[{_key(key)}]]")
                sections += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
        else:
            head.append(f"{_key(key)} = {_value(value)}")
    return "\n".join(head + sections) + "\n"


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    # JSON's escapes are TOML's, but for DEL, which TOML wants escaped and JSON leaves.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, Verbatim):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a TOML value: {type(value).__name__}")
