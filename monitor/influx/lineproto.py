"""InfluxDB line protocol text: escaping names, tag values and strings, formatting values.

InfluxDB 1.x reads a backslash in a measurement, tag key or tag value as an escape only
before ``,``, ``=`` or a space, and keeps it as it is anywhere else: ``a\\,b`` cannot be
written at all, and a trailing backslash swallows the separator after it. Tag values are
therefore restricted to text without backslashes or control characters (``tag_safe``);
anything else travels as a string field, which escapes ``"`` and ``\\`` both ways.
"""

from __future__ import annotations

import math

MAX_TAG_BYTES = 256
"""Longer text stays a field: tags are the series key, held in InfluxDB's index."""

MIN_TIME_NS = -9_223_372_036_854_775_806
MAX_TIME_NS = 9_223_372_036_854_775_806
"""The stamps InfluxDB 1.x accepts (it reserves the two ends of the int64 range)."""

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_MEASUREMENT_ESCAPES = str.maketrans({",": "\\,", " ": "\\ "})
_TAG_ESCAPES = str.maketrans({",": "\\,", "=": "\\=", " ": "\\ "})
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"'})


def tag_safe(text: str) -> bool:
    """Whether ``text`` survives as a tag key or value: non-empty, at most 256 UTF-8 bytes,
    no backslash, no control character and nothing but valid Unicode."""
    if not text or "\\" in text or (not text.isprintable() and _has_control(text)):
        return False
    try:
        return len(text.encode("utf-8")) <= MAX_TAG_BYTES
    except UnicodeEncodeError:
        return False


def _has_control(text: str) -> bool:
    # isprintable() is also False for spaces other than ' ' and for unassigned code points,
    # which InfluxDB keeps as they are: only C0/C1 controls, DEL and line or paragraph
    # separators are refused.
    return any(
        ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029" or "\ud800" <= ch <= "\udfff"
        for ch in text
    )


def escape_measurement(name: str) -> str:
    """A measurement name as line protocol writes it (commas and spaces escaped)."""
    if not tag_safe(name):
        raise ValueError(f"measurement name {name!r} cannot be written in line protocol")
    return name.translate(_MEASUREMENT_ESCAPES)


def escape_tag(text: str) -> str:
    """A tag key or value (or field key) with ``,``, ``=`` and spaces escaped.

    The caller has checked ``tag_safe``: a backslash or a newline here would be misread.
    """
    return text.translate(_TAG_ESCAPES)


def quote_string(text: str) -> str:
    """A string field value: in double quotes, with ``\\`` and ``"`` escaped."""
    return '"' + text.translate(_STRING_ESCAPES) + '"'


def format_float(number: float) -> str:
    """Python's shortest round-trip text (``repr``): InfluxDB reads back the same double."""
    if not math.isfinite(number):
        raise ValueError(f"{number!r} has no line protocol form")
    return repr(number)


def format_int(number: int) -> str:
    """A signed 64-bit integer field: decimal digits and the ``i`` suffix."""
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError(f"integer {number} does not fit in an InfluxDB 64-bit field")
    return f"{number}i"
