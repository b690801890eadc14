"""What the API logs about requests it could not serve: one line each, at a bounded rate.

aiohttp logs every request it cannot parse at ERROR with a full traceback, so any local
process could fill the daemon's log, and push its alarms out of sight, by sending garbage
to the port. A malformed request is the client's doing: it is one WARNING line naming the
peer and the problem. Past a number of lines in a window the rest are only counted, and
one line at the end of the window says how many went unlogged. The daemon's own failures
keep their traceback, under a budget of their own.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Mapping
from types import TracebackType

from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger(__name__)
MAX_DETAIL = 200
# What aiohttp raises for a request, or a body, it cannot parse.
# A request the client garbled, or a client that left mid-request: its doing, not a failure.
MALFORMED = (HttpProcessingError, RequestPayloadError, ConnectionResetError)
# What ``logging`` takes as ``exc_info``.
ExcInfo = (
    bool
    | BaseException
    | tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
    | None
)


class LogBudget:
    """At most ``lines`` lines per ``window_s`` to ``logger``; the rest counted, then told."""

    def __init__(self, logger: logging.Logger, what: str, lines: int, window_s: float) -> None:
        self.logger = logger
        self._what = what
        self._lines = lines
        self._window_s = window_s
        self._window_end = float("-inf")
        self._used = 0
        self._unlogged = 0
        self._timer: asyncio.TimerHandle | None = None

    def log(self, level: int, msg: str, *args: object, exc_info: ExcInfo = None) -> None:
        now = time.monotonic()  # the clock of asyncio's timers, which end the window
        if now >= self._window_end:
            self.close_window()
            self._window_end = now + self._window_s
        if self._used < self._lines:
            self._used += 1
            self.logger.log(level, msg, *args, exc_info=exc_info)
            return
        self._unlogged += 1
        if self._timer is None:
            # Told when the window ends, not with the next line: a flood may be all there is.
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._timer = loop.call_later(self._window_end - now, self.close_window)

    def close_window(self) -> None:
        """Say how many lines went unlogged, if any, and start afresh."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._unlogged:
            self.logger.warning("%d more %s in the last %g s were not logged",
                                self._unlogged, self._what, self._window_s)  # fmt: skip
        self._window_end = float("-inf")
        self._used = self._unlogged = 0


class ServerLog(logging.LoggerAdapter[logging.Logger]):
    """Stands in for aiohttp's ``aiohttp.server`` logger in its request handlers.

    aiohttp reports a request it cannot parse as ``"Error handling request from %s"``
    with the peer as argument and the parse error as ``exc_info``; anything else at ERROR
    is a failure of the daemon's; lower levels pass through as they are.
    """

    def __init__(self, malformed: LogBudget, failures: LogBudget) -> None:
        super().__init__(failures.logger)
        self._malformed = malformed
        self._failures = failures

    def log(
        self,
        level: int,
        msg: object,
        *args: object,
        exc_info: ExcInfo = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None:
        exc = _exception(exc_info)
        if isinstance(exc, MALFORMED):
            # aiohttp names the peer of a request it cannot parse, not of a body it drops.
            peer = args[0] if args else "a client"
            self._malformed.log(logging.WARNING, "malformed HTTP request from %s: %s",
                                peer, describe(exc))  # fmt: skip
        elif level >= logging.ERROR:
            self._failures.log(level, str(msg), *args, exc_info=exc_info)
        else:
            super().log(level, msg, *args, exc_info=exc_info, stack_info=stack_info,
                        stacklevel=stacklevel, extra=extra, **kwargs)  # fmt: skip

    def close(self) -> None:
        self._malformed.close_window()
        self._failures.close_window()


def _exception(exc_info: ExcInfo) -> BaseException | None:
    if exc_info is True:
        return sys.exc_info()[1]
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple):
        return exc_info[1]
    return None


def describe(exc: BaseException) -> str:
    """What is wrong with a malformed request, on one line: the parser's error, which aiohttp
    wraps in ``RequestPayloadError`` for a body."""
    if isinstance(exc, RequestPayloadError) and isinstance(exc.__cause__, HttpProcessingError):
        exc = exc.__cause__
    detail = exc.message if isinstance(exc, HttpProcessingError) else str(exc)
    return one_line(f"{type(exc).__name__}: {detail}")


def one_line(text: str) -> str:
    """``text`` on one line of printable characters, cut at ``MAX_DETAIL``: it comes from
    the peer, and must not forge a line of its own in the log."""
    flat = " ".join(text.split())
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in flat)
    return shown if len(shown) <= MAX_DETAIL else shown[: MAX_DETAIL - 1] + "…"
