"""What a simulated serial thermometer prints: one line of fields in its line's format.

Pure. ``key_value`` lines are ``T1=62.48;T2=61.90`` with the line's separators. A ``regex``
line is written by filling the pattern's named groups into the pattern's literal text; that
works for patterns made of literal characters, escaped punctuation, ``\\s`` and simple
repetitions (``T1:\\s*(?P<T1>[-\\d.]+)\\s+C``), and any other pattern is refused at start with
a message naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from config.links import SerialLine
from config.probes import Probe
from simulator.models.probe import ProbeFaultKind, ProbeOutput

# What the simulated device prints for a sensor it knows to be broken (the driver's word).
DEVICE_ERROR_TEXT = "ERR"
# A PT100 transmitter's usual open-circuit value, used when the lab gives no sentinel.
DEFAULT_OPEN_CIRCUIT = 3276.7
_SAMPLE_VALUE = "12.34"
_SPECIAL = set(".[]()|{}^$*+?")


def format_value(value: float) -> str:
    return f"{value:.2f}"


def field_text(output: ProbeOutput, probe: Probe) -> str | None:
    """The text a device prints for this probe now, or None when it prints nothing for it.

    Values are printed in the probe's configured unit; a sentinel is printed as the device
    would send it, unconverted.
    """
    if output.fault is ProbeFaultKind.NO_ANSWER:
        return None
    if output.fault is ProbeFaultKind.DEVICE_EXCEPTION:
        return DEVICE_ERROR_TEXT
    if output.fault is ProbeFaultKind.OPEN_CIRCUIT:
        sentinel = output.value_c if output.value_c is not None else DEFAULT_OPEN_CIRCUIT
        return format_value(sentinel)
    if output.value_c is None:
        return None
    value = output.value_c * 9.0 / 5.0 + 32.0 if probe.unit == "F" else output.value_c
    return format_value(value)


@dataclass(frozen=True, slots=True)
class _Group:
    name: str


class LineRenderer:
    """Writes the lines of one ``SerialLine``; a pattern it cannot write is refused here."""

    def __init__(self, line: SerialLine) -> None:
        self._line = line
        self._template: list[str | _Group] | None = None
        if line.format == "regex":
            if line.pattern is None:
                raise ValueError(f"serial line {line.id}: format 'regex' needs a pattern")
            try:
                self._template = regex_template(line.pattern)
            except ValueError as exc:
                raise ValueError(
                    f"serial line {line.id}: the simulator cannot write lines for pattern "
                    f"{line.pattern!r}: {exc}"
                ) from None
            names = [part.name for part in self._template if isinstance(part, _Group)]
            sample = self._fill({name: _SAMPLE_VALUE for name in names})
            if re.fullmatch(line.pattern, sample) is None:
                raise ValueError(
                    f"serial line {line.id}: the simulator cannot write lines for pattern "
                    f"{line.pattern!r}: its attempt {sample!r} does not match"
                )

    def render(self, fields: Mapping[str, str]) -> bytes:
        """One line with its CR LF terminator; ``fields`` in the order they should appear."""
        if self._template is not None:
            text = self._fill(fields)
        else:
            text = self._line.pair_separator.join(
                f"{key}{self._line.key_separator}{value}" for key, value in fields.items()
            )
        return text.encode("ascii") + b"\r\n"

    def _fill(self, fields: Mapping[str, str]) -> str:
        assert self._template is not None
        return "".join(
            fields.get(part.name, "") if isinstance(part, _Group) else part
            for part in self._template
        )


def regex_template(pattern: str) -> list[str | _Group]:
    """The literal text and named groups of a simple pattern; ValueError for anything else."""
    out: list[str | _Group] = []
    i, end = 0, len(pattern)
    while i < end:
        char = pattern[i]
        if pattern.startswith("(?P<", i):
            name_end = pattern.index(">", i)
            out.append(_Group(pattern[i + 4 : name_end]))
            i = _after_group(pattern, i)
            if i < end and pattern[i] in "*+?{":
                raise ValueError("a repeated group")
            continue
        if char == "\\" and i + 1 < end:
            escaped = pattern[i + 1]
            if escaped == "s":
                atom = " "
            elif escaped == "t":
                atom = "\t"
            elif not escaped.isalnum():
                atom = escaped
            else:
                raise ValueError(f"the escape \\{escaped} outside a group")
            i += 2
        elif char in "^$" and (i == 0 or i == end - 1):
            i += 1
            continue
        elif char in _SPECIAL or char == "\\":
            raise ValueError(f"{char!r} outside a named group")
        else:
            atom = char
            i += 1
        if i < end and pattern[i] in "*+?":
            quantifier = pattern[i]
            i += 1
            if i < end and pattern[i] == "?":
                i += 1
            if quantifier != "+":
                continue  # "zero or more" and "optional": the device prints none
        elif i < end and pattern[i] == "{":
            raise ValueError("a counted repetition {m,n} outside a group")
        out.append(atom)
    return out


def _after_group(pattern: str, start: int) -> int:
    """The index just past the parenthesis that closes the group opened at ``start``."""
    depth = 0
    i = start
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced parentheses")
