"""Counting and logging rejected input (garbled lines, malformed payloads) without flooding the log.

A noisy cable or a misconfigured device can send thousands of bad messages an hour. Each one
is counted, per source and reason; the first of each kind is logged at once with a sample,
later ones are summarised at most once per interval, so the log stays readable and nothing is
silently dropped from the counts.

A summary is written when a reject arrives after its interval, when ``flush_due`` finds the
interval over (a driver calls it periodically, so a burst that stops is still summarised), and
by ``flush`` when the driver stops: the last window is never lost with the process.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# Enough of a bad input to recognise it in the log, not so much that one message fills a screen.
SAMPLE_CHARS = 80


def sample(data: bytes | str) -> str:
    """A short printable rendering of ``data`` for a log line (escapes control bytes)."""
    text = repr(data)
    if len(text) <= SAMPLE_CHARS:
        return text
    unit = "bytes" if isinstance(data, bytes) else "characters"
    return f"{text[:SAMPLE_CHARS]}… ({len(data)} {unit})"


@dataclass
class _Pending:
    last_logged: float
    suppressed: int = 0
    latest: str = ""


class RejectLog:
    """Counts rejects per ``(source, reason)`` and logs them, rate-limited per key.

    ``source`` names what was rejected (a probe, a serial line); ``reason`` is a short fixed
    category (``"not a number"``), ``detail`` the specific text with a sample of the input.
    """

    def __init__(
        self,
        logger: logging.Logger,
        interval_s: float = 60.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        if not interval_s > 0:
            raise ValueError(f"reject log interval must be > 0 s, got {interval_s!r}")
        self.counts: Counter[tuple[str, str]] = Counter()
        self._log = logger
        self._interval_s = interval_s
        self._now = now
        self._pending: dict[tuple[str, str], _Pending] = {}

    def reject(self, source: str, reason: str, detail: str) -> None:
        key = (source, reason)
        self.counts[key] += 1
        now = self._now()
        pending = self._pending.get(key)
        if pending is None:
            self._pending[key] = _Pending(now)
            self._log.warning("%s: rejected (%s): %s", source, reason, detail)
            return
        pending.suppressed += 1
        pending.latest = detail
        if now - pending.last_logged >= self._interval_s:
            self._summarise(key, pending, now)

    def flush_due(self) -> None:
        """Write the summary of every window whose interval is over."""
        now = self._now()
        for key, pending in self._pending.items():
            if pending.suppressed and now - pending.last_logged >= self._interval_s:
                self._summarise(key, pending, now)

    def flush(self) -> None:
        """Write the summary of every window still open, over or not (at stop)."""
        now = self._now()
        for key, pending in self._pending.items():
            if pending.suppressed:
                self._summarise(key, pending, now)

    def _summarise(self, key: tuple[str, str], pending: _Pending, now: float) -> None:
        source, reason = key
        self._log.warning(
            "%s: %d rejected (%s) in the last %.0f s; latest: %s",
            source,
            pending.suppressed,
            reason,
            now - pending.last_logged,
            pending.latest,
        )
        pending.last_logged = now
        pending.suppressed = 0

    def total(self, source: str | None = None, reason: str | None = None) -> int:
        """Rejects counted so far, optionally only for one source and/or one reason."""
        return sum(
            n
            for (s, r), n in self.counts.items()
            if (source is None or s == source) and (reason is None or r == reason)
        )
