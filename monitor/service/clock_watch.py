"""A step of the wall clock, seen against the monotonic clock, is put on record.

A Pi without a battery clock restores a saved time at boot and is then set right by NTP;
an operator may set the clock by hand. Between two looks, the wall clock must advance as
the monotonic clock does; when the two disagree by more than ``STEP_S`` (either way), the
wall clock stepped, and a ``clock_step`` record of the ``device`` stream gives both readings
(docs/RULES.md, Records). ``lactamon verify`` uses it to explain stamps that go back.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.clock import NS_PER_S
from monitor.journal.time_order import CLOCK_STEP

STEP_S = 2.0
__all__ = ["CLOCK_STEP", "ClockStep", "ClockWatch"]


@dataclass(frozen=True, slots=True)
class ClockStep:
    """The wall clock moved by ``step_s`` (negative: back) more than time passed."""

    wall_before_ns: int
    wall_after_ns: int
    monotonic_s: float
    step_s: float

    def fields(self) -> dict[str, int | float | str]:
        way = "back" if self.step_s < 0 else "forward"
        return {
            "wall_before_ns": self.wall_before_ns,
            "wall_after_ns": self.wall_after_ns,
            "monotonic_s": self.monotonic_s,
            "step_s": self.step_s,
            "reason": f"the wall clock stepped {way} by {abs(self.step_s):.1f} s",
        }


class ClockWatch:
    """Compares each (wall, monotonic) pair with the previous one."""

    def __init__(self, threshold_s: float = STEP_S) -> None:
        self.threshold_ns = int(threshold_s * NS_PER_S)
        self._last: tuple[int, float] | None = None

    def check(self, wall_ns: int, monotonic_s: float) -> ClockStep | None:
        last, self._last = self._last, (wall_ns, monotonic_s)
        if last is None:
            return None
        expected = last[0] + int((monotonic_s - last[1]) * NS_PER_S)
        drift = wall_ns - expected
        if abs(drift) <= self.threshold_ns:
            return None
        return ClockStep(expected, wall_ns, monotonic_s, drift / NS_PER_S)
