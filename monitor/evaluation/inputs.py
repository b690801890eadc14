"""What drives the machines besides readings: clock ticks and a user's abort, and ``run``.

A machine is fed ``Reading``s and ``Tick``s (time passing with no reading, which is what
makes gaps, silences and time limits visible), ``AbortCycle`` for a cycle and ``NewDay`` for
an enclosure; a machine ignores the inputs that are not meant for it. ``run`` feeds
a whole list and collects the events: the shape tests and simulated curves use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from monitor.evaluation.event_base import Event
from monitor.reading import Reading


@dataclass(frozen=True, slots=True)
class Tick:
    """Time ``ts`` (UTC ns) has come, with or without readings."""

    ts: int

    def __post_init__(self) -> None:
        if isinstance(self.ts, bool) or not isinstance(self.ts, int):
            raise ValueError(f"tick ts must be integer nanoseconds, got {self.ts!r}")


@dataclass(frozen=True, slots=True)
class AbortCycle:
    """A user stops a cycle at ``ts``; ``reason`` is kept in the verdict."""

    ts: int
    user: str
    reason: str

    def __post_init__(self) -> None:
        if isinstance(self.ts, bool) or not isinstance(self.ts, int):
            raise ValueError(f"abort ts must be integer nanoseconds, got {self.ts!r}")
        if not isinstance(self.user, str) or not self.user.strip():
            raise ValueError("an abort needs the user who asked for it")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("an abort needs a reason")


@dataclass(frozen=True, slots=True)
class NewDay:
    """The day of an enclosure's daily sheet ends at ``ts``; ``day`` is the key of the next.

    The caller computes day keys (the core knows no time zone), e.g. the local date.
    """

    ts: int
    day: str

    def __post_init__(self) -> None:
        if isinstance(self.ts, bool) or not isinstance(self.ts, int):
            raise ValueError(f"day boundary ts must be integer nanoseconds, got {self.ts!r}")
        if not isinstance(self.day, str) or not self.day:
            raise ValueError(f"day key must be a non-empty string, got {self.day!r}")


Input = Reading | Tick | AbortCycle | NewDay


class Machine(Protocol):
    """Anything that turns one input into the events it causes."""

    def step(self, item: Input) -> tuple[Event, ...]:
        """Feed one input; the same inputs in the same order always give the same events."""
        ...


def run(machine: Machine, inputs: Iterable[Input]) -> list[Event]:
    """Feed every input in order and return all the events, in order."""
    events: list[Event] = []
    for item in inputs:
        events.extend(machine.step(item))
    return events
