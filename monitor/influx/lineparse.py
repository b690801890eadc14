"""Reading line protocol back into points, the way InfluxDB 1.x reads it.

Used to check what the writers send without a server, and to verify an InfluxDB export
(``influx_inspect export -lponly`` writes line protocol) with the same code as a query.
Escapes follow InfluxDB 1.x: in names and tags a backslash escapes only ``,``, ``=`` and a
space (elsewhere it is kept); in string fields it escapes ``"`` and ``\\``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from monitor.influx.lineproto import INT64_MAX, INT64_MIN

PointValue = str | int | float | bool


@dataclass(frozen=True, slots=True)
class PointData:
    """One InfluxDB point: from line protocol, or one row of an InfluxQL answer."""

    measurement: str
    tags: dict[str, str]
    fields: dict[str, PointValue]
    time: int | None


class LineProtocolError(ValueError):
    """Text that is not valid line protocol; the message names the line and the problem."""


_TRUE = frozenset({"t", "T", "true", "True", "TRUE"})
_FALSE = frozenset({"f", "F", "false", "False", "FALSE"})
_NUMBER_CHARS = frozenset("0123456789+-.eE")


def parse_lines(text: str) -> Iterator[PointData]:
    """Every point of ``text``; blank lines and ``#`` comments are skipped.

    A string field may hold newlines, so lines are found by scanning, not by splitting.
    """
    parser = _Parser(text)
    while not parser.at_end():
        if parser.peek() in "\n\r" or parser.peek() == "#" or parser.rest_of_line_blank():
            parser.skip_line()
            continue
        yield parser.point()


def parse_line(line: str) -> PointData:
    """The single point of ``line``."""
    points = list(parse_lines(line))
    if len(points) != 1:
        raise LineProtocolError(f"expected one point, found {len(points)}")
    return points[0]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_no = 1
        self.line_start = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def rest_of_line_blank(self) -> bool:
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        return not self.text[self.pos : end].strip()

    def skip_line(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end + 1
        self.line_no += 1
        self.line_start = self.pos

    def error(self, problem: str) -> LineProtocolError:
        end = self.text.find("\n", self.line_start)
        line = self.text[self.line_start : len(self.text) if end < 0 else end]
        shown = line if len(line) <= 120 else line[:117] + "..."
        return LineProtocolError(f"line {self.line_no}: {problem}: {shown!r}")

    def point(self) -> PointData:
        measurement = self.name(stops=", ", what="measurement")
        tags: dict[str, str] = {}
        while self.peek() == ",":
            self.pos += 1
            key = self.name(stops="=", what="tag key")
            self.expect("=")
            value = self.name(stops=", ", what=f"value of tag {key}")
            tags[key] = value
        self.expect(" ")
        fields: dict[str, PointValue] = {}
        while True:
            key = self.name(stops="=", what="field key")
            self.expect("=")
            if key in fields:
                raise self.error(f"field {key} appears twice")
            fields[key] = self.field_value(key)
            if self.peek() != ",":
                break
            self.pos += 1
        time: int | None = None
        if self.peek() == " ":
            self.pos += 1
            time = self.timestamp()
        if self.peek() == "\r":
            self.pos += 1
        if not self.at_end():
            if self.peek() != "\n":
                raise self.error("unexpected text after the point")
            self.pos += 1
        self.line_no += 1
        self.line_start = self.pos
        return PointData(measurement, tags, fields, time)

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.peek()) if self.peek() else "the end"
            raise self.error(f"expected {char!r}, found {found}")
        self.pos += 1

    def name(self, stops: str, what: str) -> str:
        """A measurement, key or tag value up to an unescaped stop character."""
        text, pos, out = self.text, self.pos, []
        while pos < len(text):
            ch = text[pos]
            if ch == "\\" and pos + 1 < len(text) and text[pos + 1] in ",= ":
                out.append(text[pos + 1])
                pos += 2
                continue
            if ch in stops or ch == "\n" or (ch == " " and " " not in stops):
                break
            out.append(ch)
            pos += 1
        self.pos = pos
        if not out:
            raise self.error(f"empty {what}")
        return "".join(out)

    def field_value(self, key: str) -> PointValue:
        if self.peek() == '"':
            return self.string()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ", \n\r":
            self.pos += 1
        token = self.text[start : self.pos]
        if token in _TRUE:
            return True
        if token in _FALSE:
            return False
        digits = token[:-1] if token.endswith(("i", "u")) else token
        try:
            if not digits or not set(digits) <= _NUMBER_CHARS:
                raise ValueError
            if token.endswith(("i", "u")):
                number = int(digits)
                low = INT64_MIN if token.endswith("i") else 0
                high = INT64_MAX if token.endswith("i") else 2**64 - 1
                if not low <= number <= high:
                    raise ValueError
                return number
            value = float(token)
        except ValueError:
            raise self.error(f"field {key}: {token!r} is not a number, boolean or string") from None
        if not math.isfinite(value):
            raise self.error(f"field {key}: {token!r} is not a finite number")
        return value

    def string(self) -> str:
        text, pos, out = self.text, self.pos + 1, []
        while pos < len(text):
            ch = text[pos]
            if ch == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\':
                out.append(text[pos + 1])
                pos += 2
                continue
            if ch == '"':
                self.pos = pos + 1
                return "".join(out)
            out.append(ch)
            pos += 1
        raise self.error("a string field is not closed")

    def timestamp(self) -> int:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in " \n\r":
            self.pos += 1
        token = self.text[start : self.pos]
        try:
            return int(token)
        except ValueError:
            raise self.error(f"time stamp {token!r} is not an integer") from None
