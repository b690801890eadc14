"""How the evaluation core writes times and temperatures in the reasons people read."""

from __future__ import annotations

from monitor.clock import NS_PER_S


def seconds(duration_ns: int) -> float:
    """A duration in integer nanoseconds as float seconds, the unit of every event field."""
    return duration_ns / NS_PER_S


def to_ns(duration_s: float) -> int:
    """A duration in seconds as integer nanoseconds, the unit of every comparison."""
    return round(duration_s * NS_PER_S)


def clock_text(duration_ns: int) -> str:
    """``h:mm:ss`` (rounded down to the second), as read on a curve: ``1:02:03``."""
    sign = "-" if duration_ns < 0 else ""
    total = abs(duration_ns) // NS_PER_S
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def celsius(value: float) -> str:
    """A temperature with two decimals and its unit: ``57.99 °C``."""
    return f"{value:.2f} °C"
