"""What every evaluation event shares: time, subject, flat payload, and its alarm meaning.

An event is a record: the journal stores ``ts`` and ``kind`` in the record's envelope and
``fields()`` as its payload, canonicalises, chains and signs it as it is. The alarm manager
reads three class attributes:

- ``condition``: the alarm condition the event speaks of (None: not an alarm condition); the
  alarm key is ``f"{condition}:{subject}"``, e.g. ``band:fridge-1``;
- ``effect``: ``raise`` (the condition becomes active), ``clear`` (it returns to normal) or
  ``pulse`` (a momentary alarm: raised and returned at once, it only waits to be
  acknowledged, e.g. a failed cycle);
- ``severity``: ``info``, ``warning`` or ``alarm``: how much the event matters to people;
- ``priority``: the priority of the alarm it raises (``Priority``, 1 most urgent), declared
  by each class that has a condition, so the priority of an alarm has one home.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from monitor.alarms.model import Priority

FieldValue = str | int | float | bool | None


class Severity(StrEnum):
    """How much an event matters to people."""

    INFO = "info"
    WARNING = "warning"
    ALARM = "alarm"


class Effect(StrEnum):
    """What an event does to its alarm condition."""

    RAISE = "raise"
    CLEAR = "clear"
    PULSE = "pulse"


_PAYLOAD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True)
class Event:
    """Something the rules concluded at ``ts`` (UTC ns) about ``subject``.

    ``subject`` is a cycle id, an enclosure id, a pasteuriser id or a probe id. Every value
    of an event is a ``str``, ``int``, finite ``float``, ``bool`` or ``None``.
    """

    kind: ClassVar[str] = "event"
    condition: ClassVar[str | None] = None
    effect: ClassVar[Effect | None] = None
    severity: ClassVar[Severity] = Severity.INFO
    priority: ClassVar[Priority | None] = None

    ts: int
    subject: str

    @property
    def alarm_key(self) -> str | None:
        """The alarm point this event raises or clears, or None."""
        return None if self.condition is None else f"{self.condition}:{self.subject}"

    def fields(self) -> dict[str, FieldValue]:
        """The flat payload: ``subject`` and every value, without ``ts`` and ``kind``."""
        cls = type(self)
        names = _PAYLOAD_NAMES.get(cls)
        if names is None:
            names = tuple(f.name for f in dataclasses.fields(self) if f.name != "ts")
            _PAYLOAD_NAMES[cls] = names
        return {name: getattr(self, name) for name in names}


def event_kinds() -> frozenset[str]:
    """The kind of every event class defined so far: the records the rules conclude, as
    against those a driver, a person or the service adds (``monitor.evaluation`` defines
    them all when it is imported)."""
    kinds: set[str] = set()
    todo: list[type[Event]] = [Event]
    while todo:
        cls = todo.pop()
        kinds.add(cls.kind)
        todo += cls.__subclasses__()
    return frozenset(kinds)
