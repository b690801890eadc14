"""The one injectable clock: UTC wall time for stamps, monotonic time for durations.

Every component takes a ``Clock`` instead of calling ``time`` so that the simulator and the
tests can run a 60-minute hold in seconds over real sockets (``ScaledClock``), and so that the
evaluation core never reads a clock at all.
"""

from __future__ import annotations

import asyncio
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from monitor.time_units import NS_PER_S as NS_PER_S

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Clock(Protocol):
    """Time source shared by the service, the drivers and the simulator."""

    @property
    def speed(self) -> float:
        """Simulated seconds per real second (1.0 on a real bench)."""
        ...

    def now_ns(self) -> int:
        """UTC wall time, integer nanoseconds since the Unix epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps, scaled like ``now_ns``."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` of this clock's time."""
        ...


def to_beat(now: float, period_s: float) -> float:
    """Seconds from ``now`` (a monotonic time) to the next multiple of ``period_s``.

    The daemon's periodic tasks sleep to these beats rather than for a period from wherever
    they stand: tasks whose periods divide one another then wake at the same instants, in one
    pass of the event loop. Waking an idle process is what its timers cost most (some 50 to
    250 µs of CPU a wake-up measured here, against a few µs for the work of most of them), so
    a dozen tasks at a second apiece cost one wake-up a second, not a dozen.
    """
    return period_s - now % period_s


async def sleep_to_beat(period_s: float, clock: Clock | None = None) -> None:
    """Sleep to the next beat of ``period_s`` (``to_beat``): on ``clock``'s monotonic time, or
    on real time for the tasks that run in real seconds whatever the clock (the commits, the
    chain heads, the users' copier, the journal's watch and re-check, the watchdog)."""
    if clock is None:
        await asyncio.sleep(to_beat(time.monotonic(), period_s))
    else:
        await clock.sleep(to_beat(clock.monotonic(), period_s))


def ns_to_datetime(ts_ns: int) -> datetime:
    """A UTC ``datetime`` for a nanosecond stamp (microsecond precision, for display)."""
    return _EPOCH + timedelta(microseconds=ts_ns // 1_000)


def datetime_to_ns(when: datetime) -> int:
    """Integer nanoseconds for an aware ``datetime``; naive values are refused."""
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when.isoformat()} has no time zone; stamps are UTC")
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_S + delta.microseconds * 1_000


class SystemClock:
    """Real time: the clock of a Pi in the lab."""

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        return time.time_ns()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """Time that runs ``speed`` times faster than real time from a chosen UTC origin.

    Wall and monotonic time are both derived from the real monotonic clock, so a jump of the
    host's wall clock does not disturb a simulation. Several components sharing one instance
    agree on the time. ``real_start`` is the ``time.monotonic()`` value at which the clock
    stands at its origin (default: now); Linux's monotonic clock is system-wide, so processes
    given the same speed, origin and real start share one timeline, even when one of them is
    started long after the others (a restarted daemon resumes where its simulation stands).
    """

    def __init__(
        self, speed: float, origin_ns: int | None = None, *, real_start: float | None = None
    ) -> None:
        if not speed > 0 or speed != speed or speed == float("inf"):
            raise ValueError(f"clock speed must be a finite number > 0, got {speed!r}")
        if real_start is not None and not math.isfinite(real_start):
            raise ValueError(f"real start must be a finite monotonic time, got {real_start!r}")
        self._speed = float(speed)
        self._origin_ns = time.time_ns() if origin_ns is None else origin_ns
        self._real_start = time.monotonic() if real_start is None else float(real_start)

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def origin_ns(self) -> int:
        return self._origin_ns

    @property
    def real_start(self) -> float:
        """The ``time.monotonic()`` value at which this clock stood at ``origin_ns``."""
        return self._real_start

    def monotonic(self) -> float:
        return (time.monotonic() - self._real_start) * self._speed

    def now_ns(self) -> int:
        return self._origin_ns + int(self.monotonic() * NS_PER_S)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self._speed)


def make_clock(speed: float, origin_ns: int | None = None) -> Clock:
    """A ``SystemClock`` at speed 1 with no origin, else a ``ScaledClock``."""
    if speed == 1.0 and origin_ns is None:
        return SystemClock()
    return ScaledClock(speed, origin_ns)
