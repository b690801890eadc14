"""Strict, typed reads of one TOML table, every error naming the TOML path it concerns."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from simulator.scenario.spec import ScenarioError

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_MISSING: Any = object()


class Table:
    """A TOML table at ``path`` in file ``source``; ``check_keys`` refuses unknown keys."""

    def __init__(self, data: object, source: str, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ScenarioError(source, path, f"expected a table, got {_describe(data)}")
        self.data: Mapping[str, object] = data
        self.source = source
        self.path = path

    def at(self, key: str) -> str:
        """The TOML path of ``key`` in this table."""
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str | None, problem: str) -> ScenarioError:
        return ScenarioError(self.source, self.at(key) if key else self.path, problem)

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = sorted(allowed)
        for key in self.data:
            if key not in allowed:
                raise self.error(key, f"unknown key '{key}'; expected one of {', '.join(allowed)}")

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is None:
                raise self.error(key, "is required")
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {_describe(value)}")
        return value

    def identifier(self, key: str) -> str:
        value = self.text(key)
        if not _ID.fullmatch(value):
            raise self.error(
                key, f"'{value}' is not a valid id (letters, digits, '.', '_', ':', '-')"
            )
        return value

    def optional_identifier(self, key: str) -> str | None:
        return self.identifier(key) if key in self.data else None

    def identifiers(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, f"expected an array of ids, got {_describe(value)}")
        ids = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not _ID.fullmatch(item):
                raise self.error(f"{key}[{i}]", f"expected an id, got {_describe(item)}")
            ids.append(item)
        return tuple(ids)

    def integer(self, key: str, default: int | None, low: int, high: int) -> int:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is None:
                raise self.error(key, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected an integer, got {_describe(value)}")
        if not low <= value <= high:
            raise self.error(key, f"{value} is outside {low}..{high}")
        return value

    def number(self, key: str, default: float | None, low: float, high: float) -> float:
        value = self.optional_number(key, low, high)
        if value is None:
            if default is None:
                raise self.error(key, "is required")
            return default
        return value

    def optional_number(self, key: str, low: float, high: float) -> float | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"expected a number, got {_describe(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise self.error(key, f"expected a finite number, got {value}")
        if not low <= number <= high:
            raise self.error(key, f"{value} is outside {low:g}..{high:g}")
        return number

    def seconds(
        self,
        base: str,
        default_s: float | None,
        *,
        maximum_s: float,
        positive: bool = False,
    ) -> float:
        """A time given as ``{base}_min`` or ``{base}_s`` (exactly one), in seconds.

        Times are never negative; with ``positive`` they must also be more than zero.
        """
        in_min, in_s = f"{base}_min", f"{base}_s"
        if in_min in self.data and in_s in self.data:
            raise self.error(in_min, f"give either '{in_min}' or '{in_s}', not both")
        if in_min in self.data:
            key, scale = in_min, 60.0
        elif in_s in self.data:
            key, scale = in_s, 1.0
        elif default_s is None:
            raise self.error(None, f"'{in_min}' (or '{in_s}') is required")
        else:
            return default_s
        given = self.number(key, None, -math.inf, math.inf)
        if given < 0 or (positive and given == 0):
            raise self.error(key, f"must be {'>' if positive else '>='} 0, got {given:g}")
        if given * scale > maximum_s:
            raise self.error(key, f"must be <= {maximum_s / scale:g}, got {given:g}")
        return given * scale

    def tables(self, key: str) -> list[Table]:
        """The array of tables ``[[key]]`` (empty when absent)."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.error(
                key, f"expected an array of tables ([[{key}]]), got {_describe(value)}"
            )
        return [Table(item, self.source, f"{self.at(key)}[{i}]") for i, item in enumerate(value)]


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ('{value}')"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "a table"
    return f"{type(value).__name__} {value!r}"
