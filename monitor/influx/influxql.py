"""InfluxQL text for lactamon's queries, with every value quoted or escaped.

The curve of a lot (README.md, "Queries")::

    SELECT "value" FROM "lactamon_reading" WHERE "lots" =~ /(^|,)L2026-001(,|$)/
        GROUP BY "stream", "probe", "role"
"""

from __future__ import annotations

from monitor.influx.schema import MEASUREMENTS, READING_MEASUREMENT, time_bounds

_REGEX_SPECIAL = frozenset("\\.+*?()|[]{}^$/")


def quote_string(text: str) -> str:
    """An InfluxQL string literal: single quotes, with ``\\`` and ``'`` escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_identifier(name: str) -> str:
    """An InfluxQL identifier: double quotes, with ``\\`` and ``"`` escaped."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def regex_literal_text(text: str) -> str:
    """``text`` matched literally inside an InfluxQL ``/regex/`` (RE2 syntax)."""
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in text)


def lot_condition(lot: str) -> str:
    """Points whose ``lots`` tag (sorted, comma-joined lot numbers) names ``lot``."""
    return f'"lots" =~ /(^|,){regex_literal_text(lot)}(,|$)/'


def tag_condition(tag: str, value: str) -> str:
    return f"{quote_identifier(tag)} = {quote_string(value)}"


def time_condition(start_ns: int, end_ns: int) -> str:
    """Points of records stamped in ``[start_ns, end_ns)`` (and a few neighbours: a point's
    time is its record's millisecond, so the records are filtered again by ``ts``)."""
    low, high = time_bounds(start_ns, end_ns)
    return f"time >= {low} AND time < {high}"


def select_records(*conditions: str) -> str:
    """Every point of every lactamon measurement that meets all ``conditions``."""
    sources = ", ".join(quote_identifier(m) for m in MEASUREMENTS)
    where = " AND ".join(f"({c})" for c in conditions)
    return f"SELECT * FROM {sources}" + (f" WHERE {where}" if where else "")


def lot_curve_query(lot: str, role: str | None = None) -> str:
    """The temperature curves of ``lot``: one series per cycle, probe and role.

    ``role`` keeps one kind of probe, e.g. ``reference`` (the milk) or ``bath``.
    """
    conditions = [lot_condition(lot)]
    if role is not None:
        conditions.append(tag_condition("role", role))
    return (
        f"SELECT {quote_identifier('value')} FROM {quote_identifier(READING_MEASUREMENT)} "
        f"WHERE {' AND '.join(conditions)} GROUP BY "
        + ", ".join(quote_identifier(t) for t in ("stream", "probe", "role"))
    )
