"""The alarm record types: states, priorities, signatures, transitions and notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from monitor.errors import NotFound, Refused
from monitor.signature import Signature as Signature


class AlarmState(StrEnum):
    """ISA-18.2 alarm states (docs/RULES.md, Alarms)."""

    NORMAL = "normal"
    UNACKED = "active_unacknowledged"
    ACKED = "active_acknowledged"
    RTN_UNACKED = "returned_to_normal_unacknowledged"
    SHELVED = "shelved"
    OUT_OF_SERVICE = "out_of_service"


class Priority(IntEnum):
    """Lower is more urgent, as on most alarm panels."""

    CRITICAL = 1
    HIGH = 2
    MEDIUM = 3
    LOW = 4


# Alarms about the record itself: damage found in the journal, the journal lost from its
# path. What they say puts the lab's proof in doubt, so only a supervisor may acknowledge one.
SUPERVISOR_ACK_PREFIXES = ("journal:",)


def supervisor_acknowledges(key: str) -> bool:
    """Whether only a supervisor may acknowledge the alarm ``key``."""
    return key.startswith(SUPERVISOR_ACK_PREFIXES)


class AlarmError(Refused):
    """An operation on an alarm that its state or the policy forbids."""


class UnknownAlarm(AlarmError, NotFound):
    """No alarm by that key."""


@dataclass(slots=True)
class Alarm:
    """One alarm point (a condition on a source), with its current state and history facts."""

    key: str
    source: str
    priority: Priority
    message: str
    state: AlarmState = AlarmState.NORMAL
    condition_active: bool = False
    raised_ns: int | None = None
    last_change_ns: int = 0
    acked_by: Signature | None = None
    acked_ns: int | None = None
    shelved_until_ns: int | None = None
    shelve_reason: str = ""
    escalation_level: int = 0
    last_notified_ns: int | None = None
    values: dict[str, float | str | None] = field(default_factory=dict)

    @property
    def needs_ack(self) -> bool:
        return self.state in (AlarmState.UNACKED, AlarmState.RTN_UNACKED)

    @property
    def supervisor_only(self) -> bool:
        """Only a supervisor may acknowledge it (``supervisor_acknowledges``)."""
        return supervisor_acknowledges(self.key)

    @property
    def suppressed(self) -> bool:
        return self.state in (AlarmState.SHELVED, AlarmState.OUT_OF_SERVICE)


@dataclass(frozen=True, slots=True)
class AlarmTransition:
    """A change of an alarm, to be chained in the journal (kind ``alarm_<action>``)."""

    ts: int
    key: str
    action: str
    state_from: AlarmState
    state_to: AlarmState
    source: str
    priority: Priority
    message: str
    signature: Signature | None = None
    detail: str = ""

    @property
    def kind(self) -> str:
        return f"alarm_{self.action}"

    def fields(self) -> dict[str, str | int | float | bool | None]:
        sig = self.signature
        return {
            "alarm": self.key,
            "action": self.action,
            "state_from": self.state_from.value,
            "state_to": self.state_to.value,
            "source": self.source,
            "priority": int(self.priority),
            "message": self.message,
            "user": sig.user if sig else None,
            "printed_name": sig.printed_name if sig else None,
            "meaning": sig.meaning if sig else None,
            "comment": sig.comment if sig else None,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Notification:
    """Something to tell people: one alarm, a re-notification, an escalation, or a flood group."""

    ts: int
    reason: str  # "raised", "renotify", "escalated", "flood", "cleared", "acknowledged"
    alarms: tuple[str, ...]
    priority: Priority
    message: str
    escalation_level: int = 0
