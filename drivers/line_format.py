"""Reading the fields of one ASCII line from a serial thermometer: ``T1=62.48;T2=61.90`` or a regex.

Pure: bytes in, numbers and the reasons for anything refused out. The trust rules:

- A line with a byte that is not printable ASCII was damaged in transit. Damage to a digit
  cannot be seen, so nothing of that line is used.
- A clean line with one bad field (unknown key, a value that is not a number, a key given
  twice) keeps its other fields: the damage is confined and visible.
- A value the device prints instead of a number to say a sensor failed (``ERR``) is a device
  error for that field, not garbage.
- Numbers follow a strict ASCII grammar; ``nan``, ``inf``, ``1_000`` or ``6,2`` are refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NamedTuple

from config.links import SerialLine

# Reasons, as counted and logged; short and fixed so that counts can be compared over time.
NOT_PRINTABLE = "not printable ASCII"
MALFORMED_PAIR = "malformed pair"
UNKNOWN_KEY = "unknown key"
DUPLICATE_KEY = "duplicate key"
NOT_A_NUMBER = "not a number"
NO_MATCH = "does not match the pattern"
LINE_TOO_LONG = "line too long"

# Words that serial thermometers print in place of a value when a sensor is broken.
DEVICE_ERROR_WORDS = frozenset({"ERR", "ERROR", "FAULT", "FAIL"})

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_PRINTABLE = re.compile(rb"[\t\x20-\x7e]*")


class LineProblem(NamedTuple):
    """Something refused in a line: a fixed ``reason`` and a ``detail`` naming the part."""

    reason: str
    detail: str


@dataclass(frozen=True)
class ParsedLine:
    """What one line said: numbers by field, device errors by field, and what was refused."""

    values: dict[str, float] = field(default_factory=dict)
    device_errors: dict[str, str] = field(default_factory=dict)
    problems: list[LineProblem] = field(default_factory=list)


class LineParser:
    """Parses the lines of one ``SerialLine`` for the fields its probes use."""

    def __init__(self, line: SerialLine, fields: Collection[str]) -> None:
        self._line = line
        self._fields = frozenset(fields)
        self._pattern: re.Pattern[str] | None = None
        if line.format == "regex":
            if line.pattern is None:
                raise ValueError(f"serial line {line.id}: format 'regex' needs a pattern")
            self._pattern = re.compile(line.pattern)
            missing = sorted(self._fields - set(self._pattern.groupindex))
            if missing:
                raise ValueError(
                    f"serial line {line.id}: field(s) {', '.join(missing)} are not named groups "
                    f"of its pattern {line.pattern!r}"
                )

    def parse(self, raw: bytes) -> ParsedLine:
        if _PRINTABLE.fullmatch(raw) is None:
            return ParsedLine(problems=[LineProblem(NOT_PRINTABLE, repr(raw))])
        text = raw.decode("ascii").strip()
        if self._pattern is not None:
            return self._parse_regex(self._pattern, text)
        return self._parse_key_value(text)

    def _parse_key_value(self, text: str) -> ParsedLine:
        result = ParsedLine()
        seen: dict[str, str] = {}
        duplicated: set[str] = set()
        for pair in text.split(self._line.pair_separator):
            if not pair.strip():
                continue  # a trailing separator, or two in a row: nothing lost
            key, separator, value = pair.partition(self._line.key_separator)
            key, value = key.strip(), value.strip()
            if not separator or not key:
                result.problems.append(LineProblem(MALFORMED_PAIR, repr(pair)))
            elif key not in self._fields:
                result.problems.append(LineProblem(UNKNOWN_KEY, repr(pair)))
            elif key in seen:
                duplicated.add(key)
            else:
                seen[key] = value
        for key in sorted(duplicated):
            # Two values for one probe in one line: neither can be trusted over the other.
            result.problems.append(LineProblem(DUPLICATE_KEY, f"{key!r} given twice in {text!r}"))
            del seen[key]
        for key, value in seen.items():
            self._field(result, key, value)
        return result

    def _parse_regex(self, pattern: re.Pattern[str], text: str) -> ParsedLine:
        match = pattern.fullmatch(text)
        if match is None:
            return ParsedLine(problems=[LineProblem(NO_MATCH, repr(text))])
        result = ParsedLine()
        for key in sorted(self._fields):
            value = match.group(key)
            if value is not None:
                self._field(result, key, value.strip())
        return result

    @staticmethod
    def _field(result: ParsedLine, key: str, value: str) -> None:
        if value.upper() in DEVICE_ERROR_WORDS:
            result.device_errors[key] = value
            return
        number = parse_number(value)
        if number is None:
            result.problems.append(LineProblem(NOT_A_NUMBER, f"{key}={value!r}"))
        else:
            result.values[key] = number


def parse_number(text: str) -> float | None:
    """``text`` as a finite float if it is a plain decimal number, else None."""
    if _NUMBER.fullmatch(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None
