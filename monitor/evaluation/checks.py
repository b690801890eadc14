"""How a parameter's value is checked: a finite number, positive, a duration, a temperature.

Each check returns the value it accepts and refuses anything else with a ``ValueError`` that
names the parameter, so that a settings file can be told which key is wrong (``params``
applies them; ``config.parameters`` renames parameters to settings keys).
"""

from __future__ import annotations

import math

LOWEST_C, HIGHEST_C = -100.0, 150.0  # any temperature setting outside is a typo


def finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def positive(name: str, value: object) -> float:
    number = finite(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return number


def not_negative(name: str, value: object) -> float:
    number = finite(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return number


def at_most(name: str, number: float, most: float, unit: str) -> float:
    if number > most:
        raise ValueError(f"{name} must be at most {most:g} {unit}, got {number:g} {unit}")
    return number


def duration(name: str, value: object, most_s: float, zero_allowed: bool = False) -> float:
    """A duration in seconds, told in minutes too: the settings count durations in minutes."""
    number = finite(name, value)
    if number < 0 or (number == 0 and not zero_allowed) or number > most_s:
        lowest = "0 s or more" if zero_allowed else "more than 0 s"
        raise ValueError(
            f"{name} must be {lowest} and at most {most_s:g} s ({most_s / 60:g} min), "
            f"got {number:g} s ({number / 60:g} min)"
        )
    return number


def temperature(name: str, value: object) -> float:
    number = finite(name, value)
    if not LOWEST_C <= number <= HIGHEST_C:
        raise ValueError(f"{name} must lie in {LOWEST_C:g}..{HIGHEST_C:g} °C, got {number:g}")
    return number


def whole_periods(name: str, value: object, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise ValueError(f"{name} must be an integer in 1..{most}, got {value!r}")
    return value
