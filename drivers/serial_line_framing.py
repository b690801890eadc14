"""Cutting a serial byte stream into lines, with a bound on how much one line may hold.

Lines end at CR, LF or CRLF; empty lines carry nothing and are skipped. A line longer than
the limit is reported once and its bytes dropped up to the next terminator, so a device that
never sends one cannot make the reader buffer without end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TERMINATOR = re.compile(rb"[\r\n]")


@dataclass(frozen=True, slots=True)
class Overlong:
    """A line that passed the limit; its ``size`` bytes so far were dropped."""

    size: int


class LineAssembler:
    """Feed it chunks as they arrive; it returns the complete lines (without terminator).

    ``skip_first`` drops everything up to the first terminator: after a port is opened the
    first bytes may be the tail of a line whose beginning was never received, and a tail
    such as ``2=61.90`` would read as a valid but wrong value.
    """

    def __init__(self, max_line_bytes: int, *, skip_first: bool = True) -> None:
        if max_line_bytes < 1:
            raise ValueError(f"max_line_bytes must be >= 1, got {max_line_bytes}")
        self._max = max_line_bytes
        self._skipping = skip_first
        self._buffer = bytearray()
        self._dropping = False
        self._dropped = 0

    def feed(self, chunk: bytes) -> list[bytes | Overlong]:
        out: list[bytes | Overlong] = []
        pos = 0
        while pos < len(chunk):
            match = _TERMINATOR.search(chunk, pos)
            if match is None:
                self._append(chunk[pos:], out)
                break
            self._append(chunk[pos : match.start()], out)
            self._end_line(out)
            pos = match.end()
        return out

    def _append(self, data: bytes, out: list[bytes | Overlong]) -> None:
        if self._skipping or not data:
            return
        if self._dropping:
            self._dropped += len(data)
            return
        self._buffer += data
        if len(self._buffer) > self._max:
            self._dropping = True
            self._dropped = len(self._buffer)
            self._buffer.clear()
            out.append(Overlong(self._dropped))

    def _end_line(self, out: list[bytes | Overlong]) -> None:
        if self._skipping:
            self._skipping = False
        elif self._dropping:
            self._dropping = False
            self._dropped = 0
        elif self._buffer:
            out.append(bytes(self._buffer))
        self._buffer.clear()
