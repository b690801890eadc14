"""The alarm manager: conditions in, ISA-18.2 transitions and notifications out.

Pure: no I/O and no clock. Every change is an ``AlarmTransition`` that the service chains in
the journal; ``replay`` rebuilds the states from those records after a restart, through the
same ``_apply`` that live changes use, so a restart cannot disagree with the record.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from monitor.alarms.model import (
    Alarm,
    AlarmError,
    AlarmState,
    AlarmTransition,
    Notification,
    Priority,
    Signature,
    UnknownAlarm,
)

S = AlarmState
NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    """docs/RULES.md, Alarms: a flood is > 10 alarms in 10 minutes; escalate after 15 minutes.

    ``by_priority`` gives a priority its own (escalate after, repeat every) seconds, as the
    notification policies say (docs/RULES.md, Notifications)."""

    flood_count: int = 10
    flood_window_s: float = 600.0
    renotify_s: float = 1800.0
    escalate_after_s: float = 900.0
    max_shelve_s: float = 8 * 3600.0
    flood_flush_s: float = 60.0
    by_priority: Mapping[Priority, tuple[float, float]] = field(default_factory=dict)

    def escalate_after(self, priority: Priority) -> float:
        timing = self.by_priority.get(priority)
        return timing[0] if timing else self.escalate_after_s

    def renotify_after(self, priority: Priority) -> float:
        timing = self.by_priority.get(priority)
        return timing[1] if timing else self.renotify_s


Result = tuple[list[AlarmTransition], list[Notification]]


class AlarmManager:
    """All alarm points of a site, keyed by stable names such as ``band:F1``, ``stale:P1-ref``."""

    def __init__(self, policy: AlarmPolicy | None = None) -> None:
        self.policy = policy or AlarmPolicy()
        self.alarms: dict[str, Alarm] = {}
        self._raises: deque[int] = deque()
        self._flood_pending: list[str] = []
        self._flood_since_ns: int | None = None
        self._last_flood_flush_ns = 0

    # -- inputs -----------------------------------------------------------------------------

    def condition(
        self, ts: int, key: str, active: bool, source: str, priority: Priority, message: str
    ) -> Result:
        """The evaluation core says a condition became active or cleared."""
        alarm = self.alarms.get(key)
        if alarm is None:
            if not active:
                return [], []
            alarm = self.alarms[key] = Alarm(key, source, priority, message)
        if active:
            alarm.priority, alarm.message = priority, message
        if alarm.condition_active == active:
            return [], []
        alarm.condition_active = active
        if alarm.suppressed:
            return [], []  # shelved or out of service: the condition is tracked, not announced
        target = _after_condition(alarm.state, active)
        action = "raised" if active else "cleared"
        transition = self._transition(ts, alarm, action, target)
        notes = self._announce_raise(ts, alarm) if active else []
        if not active and target is S.NORMAL:
            notes.append(Notification(ts, "cleared", (key,), alarm.priority, alarm.message))
        return [transition], notes

    def acknowledge(self, ts: int, key: str, signature: Signature) -> Result:
        alarm = self._get(key)
        if not alarm.needs_ack:
            raise AlarmError(f"alarm {key} is {alarm.state.value}: nothing to acknowledge")
        target = S.ACKED if alarm.state is S.UNACKED else S.NORMAL
        transition = self._transition(ts, alarm, "acknowledged", target, signature)
        note = Notification(ts, "acknowledged", (key,), alarm.priority, alarm.message)
        return [transition], [note]

    def shelve(self, ts: int, key: str, until_ns: int, signature: Signature) -> Result:
        alarm = self._get(key)
        if alarm.state is S.OUT_OF_SERVICE:
            raise AlarmError(f"alarm {key} is out of service: return it to service first")
        if not signature.comment.strip():
            raise AlarmError("shelving needs a reason")
        limit = ts + int(self.policy.max_shelve_s * NS)
        if not ts < until_ns <= limit:
            hours = self.policy.max_shelve_s / 3600
            raise AlarmError(f"shelve must end in the future and within {hours:g} h")
        return [self._transition(ts, alarm, "shelved", S.SHELVED, signature, until_ns)], []

    def unshelve(self, ts: int, key: str, signature: Signature | None) -> Result:
        alarm = self._get(key)
        if alarm.state is not S.SHELVED:
            raise AlarmError(f"alarm {key} is not shelved")
        return self._resume(ts, alarm, "unshelved", signature)

    def remove_from_service(self, ts: int, key: str, signature: Signature) -> Result:
        alarm = self._get(key)
        if not signature.comment.strip():
            raise AlarmError("taking an alarm out of service needs a reason")
        return [self._transition(ts, alarm, "out_of_service", S.OUT_OF_SERVICE, signature)], []

    def return_to_service(self, ts: int, key: str, signature: Signature) -> Result:
        alarm = self._get(key)
        if alarm.state is not S.OUT_OF_SERVICE:
            raise AlarmError(f"alarm {key} is not out of service")
        return self._resume(ts, alarm, "returned_to_service", signature)

    def tick(self, ts: int) -> Result:
        """Time passes: shelves expire, unacknowledged alarms re-notify and escalate."""
        transitions: list[AlarmTransition] = []
        notes: list[Notification] = []
        for alarm in list(self.alarms.values()):
            if alarm.state is S.SHELVED and (alarm.shelved_until_ns or 0) <= ts:
                more, extra = self._resume(ts, alarm, "unshelved", None, "shelve expired")
                transitions += more
                notes += extra
            elif alarm.state is S.UNACKED and alarm.raised_ns is not None:
                transitions += self._escalate(ts, alarm, notes)
        notes += self._flush_flood(ts)
        return transitions, notes

    def replay(self, transitions: Iterable[AlarmTransition], shelved_until: dict[str, int]) -> None:
        """Rebuild states from recorded transitions (oldest first) after a restart."""
        for t in transitions:
            alarm = self.alarms.get(t.key) or Alarm(t.key, t.source, t.priority, t.message)
            self.alarms[t.key] = alarm
            # Each transition carries the alarm's text and priority at that moment: the
            # latest is what the alarm says now.
            alarm.priority, alarm.message = t.priority, t.message
            self._apply(alarm, t, shelved_until.get(t.key))
            if t.action == "raised":
                alarm.condition_active = True
            elif t.action == "cleared":
                alarm.condition_active = False

    # -- views ------------------------------------------------------------------------------

    def listing(self, include_normal: bool = False) -> list[Alarm]:
        shown = [a for a in self.alarms.values() if include_normal or a.state is not S.NORMAL]
        return sorted(shown, key=lambda a: (a.priority, -(a.raised_ns or 0), a.key))

    def in_flood(self) -> bool:
        return self._flood_since_ns is not None

    # -- internals --------------------------------------------------------------------------

    def _get(self, key: str) -> Alarm:
        try:
            return self.alarms[key]
        except KeyError:
            raise UnknownAlarm(f"unknown alarm {key!r}") from None

    def _transition(
        self,
        ts: int,
        alarm: Alarm,
        action: str,
        target: AlarmState,
        signature: Signature | None = None,
        until_ns: int | None = None,
        detail: str = "",
    ) -> AlarmTransition:
        if until_ns is not None:
            detail = f"until_ns={until_ns}"
        t = AlarmTransition(
            ts, alarm.key, action, alarm.state, target, alarm.source, alarm.priority,
            alarm.message, signature, detail,
        )  # fmt: skip
        self._apply(alarm, t, until_ns)
        return t

    @staticmethod
    def _apply(alarm: Alarm, t: AlarmTransition, until_ns: int | None) -> None:
        alarm.state = t.state_to
        alarm.last_change_ns = t.ts
        if t.action == "raised":
            alarm.raised_ns = t.ts
            alarm.escalation_level = 0
            alarm.last_notified_ns = t.ts
            alarm.acked_by = alarm.acked_ns = None
        elif t.action == "acknowledged":
            alarm.acked_by, alarm.acked_ns = t.signature, t.ts
        elif t.action == "escalated":
            alarm.escalation_level += 1
            alarm.last_notified_ns = t.ts
        elif t.action == "shelved":
            alarm.shelved_until_ns = until_ns
            alarm.shelve_reason = t.signature.comment if t.signature else ""
        elif t.action in ("unshelved", "returned_to_service"):
            alarm.shelved_until_ns, alarm.shelve_reason = None, ""
            if t.state_to is S.UNACKED:
                alarm.raised_ns = t.ts
                alarm.last_notified_ns = t.ts

    def _resume(
        self, ts: int, alarm: Alarm, action: str, signature: Signature | None, detail: str = ""
    ) -> Result:
        target = S.UNACKED if alarm.condition_active else S.NORMAL
        transition = self._transition(ts, alarm, action, target, signature, detail=detail)
        notes = self._announce_raise(ts, alarm) if target is S.UNACKED else []
        return [transition], notes

    def _escalate(self, ts: int, alarm: Alarm, notes: list[Notification]) -> list[AlarmTransition]:
        assert alarm.raised_ns is not None
        step = int(self.policy.escalate_after(alarm.priority) * NS)
        due = alarm.raised_ns + step * (alarm.escalation_level + 1)
        if ts >= due:
            level = alarm.escalation_level + 1
            t = self._transition(ts, alarm, "escalated", S.UNACKED, detail=f"level {level}")
            notes.append(Notification(ts, "escalated", (alarm.key,), alarm.priority,
                                      alarm.message, level))  # fmt: skip
            return [t]
        last = alarm.last_notified_ns or alarm.raised_ns
        if ts - last >= int(self.policy.renotify_after(alarm.priority) * NS):
            alarm.last_notified_ns = ts
            notes.append(Notification(ts, "renotify", (alarm.key,), alarm.priority,
                                      alarm.message, alarm.escalation_level))  # fmt: skip
        return []

    def _announce_raise(self, ts: int, alarm: Alarm) -> list[Notification]:
        window = int(self.policy.flood_window_s * NS)
        self._raises.append(ts)
        while self._raises and self._raises[0] <= ts - window:
            self._raises.popleft()
        if len(self._raises) <= self.policy.flood_count:
            self._flood_since_ns = None
            return [Notification(ts, "raised", (alarm.key,), alarm.priority, alarm.message)]
        self._flood_pending.append(alarm.key)
        if self._flood_since_ns is None:
            self._flood_since_ns = ts
            return self._flush_flood(ts, force=True)
        return []

    def _flush_flood(self, ts: int, force: bool = False) -> list[Notification]:
        if not self._flood_pending:
            return []
        if not force and ts - self._last_flood_flush_ns < int(self.policy.flood_flush_s * NS):
            return []
        keys = tuple(dict.fromkeys(self._flood_pending))
        self._flood_pending.clear()
        self._last_flood_flush_ns = ts
        top = min(self.alarms[k].priority for k in keys)
        message = f"alarm flood: {len(keys)} alarm(s) grouped: {', '.join(keys)}"
        return [Notification(ts, "flood", keys, top, message)]


def _after_condition(state: AlarmState, active: bool) -> AlarmState:
    if active:
        return S.ACKED if state is S.ACKED else S.UNACKED
    if state is S.ACKED:
        return S.NORMAL
    if state is S.UNACKED:
        return S.RTN_UNACKED
    return state
