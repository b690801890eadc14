"""The alarm desk: the alarm manager with its record kept and its news passed on.

Every transition the manager makes (a condition raised or cleared, an acknowledgement, a
shelve, an escalation on a tick) is journaled here, in the ``alarms`` stream, before anyone
hears of it; then each listener is told (the retained alarm states), and what people must
be told goes to the notifier. No caller journals for the desk, so none can forget to.

After a restart ``resume`` replays the ``alarms`` stream through the manager, so the desk
starts where the record stands.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable

from monitor.alarms import (
    Alarm,
    AlarmManager,
    AlarmState,
    AlarmTransition,
    Notification,
    Priority,
    Signature,
    UnknownAlarm,
)
from monitor.evaluation import Effect, Event
from monitor.journal import Journal, JournalReader, Record
from monitor.journal.streams import ALARM_STREAM
from monitor.notify.message import AlarmFacts, HistoryLine
from monitor.service.clock_rebase import shift_stamps

log = logging.getLogger(__name__)
Listener = Callable[[Alarm, AlarmTransition], None]
# What a message shows of an alarm's past: enough to see how it came here.
HISTORY_LINES = 8


class AlarmDesk:
    """Conditions in; journaled transitions, listeners and notifications out."""

    def __init__(
        self, manager: AlarmManager, journal: Journal, notify: Callable[[Notification], object]
    ) -> None:
        self.manager = manager
        self.journal = journal
        self._notify = notify
        self.listeners: list[Listener] = []
        self._history: dict[str, deque[HistoryLine]] = {}

    # -- conditions -------------------------------------------------------------------------

    def on_events(self, events: Iterable[Event], cause: str = "") -> None:
        """The alarm meaning of evaluation events: each declares its condition and priority.
        ``cause`` is said in the alarm's text: a suspect reading's jump, so a technician
        finds a wrong unit or a loose probe (docs/RULES.md, Probe faults and plausibility)."""
        for event in events:
            key, effect = event.alarm_key, event.effect
            if key is None or effect is None:
                continue
            priority = event.priority or Priority.LOW
            message = _message(event) + (f" ({cause})" if cause else "")
            if effect in (Effect.RAISE, Effect.PULSE):
                self.condition(event.ts, key, True, event.subject, priority, message)
            if effect in (Effect.CLEAR, Effect.PULSE):
                self.condition(event.ts, key, False, event.subject, priority, message)

    def condition(
        self, ts: int, key: str, active: bool, source: str, priority: Priority, message: str
    ) -> None:
        self._record(*self.manager.condition(ts, key, active, source, priority, message))

    def pulse(self, ts: int, key: str, source: str, priority: Priority, message: str) -> None:
        """A momentary alarm: raised and returned at once, it waits for acknowledgement."""
        self.condition(ts, key, True, source, priority, message)
        self.condition(ts, key, False, source, priority, message)

    # -- people -----------------------------------------------------------------------------

    def acknowledge(self, ts: int, key: str, signature: Signature) -> Alarm:
        self._record(*self.manager.acknowledge(ts, key, signature))
        return self.get(key)

    def shelve(self, ts: int, key: str, until_ns: int, signature: Signature) -> Alarm:
        self._record(*self.manager.shelve(ts, key, until_ns, signature))
        return self.get(key)

    def unshelve(self, ts: int, key: str, signature: Signature) -> Alarm:
        self._record(*self.manager.unshelve(ts, key, signature))
        return self.get(key)

    def tick(self, ts: int) -> None:
        self._record(*self.manager.tick(ts))

    # -- views ------------------------------------------------------------------------------

    def get(self, key: str) -> Alarm:
        alarm = self.manager.alarms.get(key)
        if alarm is None:
            raise UnknownAlarm(f"unknown alarm {key!r}")
        return alarm

    def is_active(self, key: str) -> bool:
        """Whether the condition behind ``key`` is active (restored ones included)."""
        alarm = self.manager.alarms.get(key)
        return alarm is not None and alarm.condition_active

    def listing(self, include_normal: bool = False) -> list[Alarm]:
        return self.manager.listing(include_normal)

    def facts(self, note: Notification) -> tuple[AlarmFacts, ...]:
        """The alarms of a notification as they stand, with their recent history."""
        facts = []
        for key in note.alarms:
            alarm = self.manager.alarms.get(key)
            if alarm is None:
                continue
            history = tuple(self._history.get(key, ()))
            facts.append(AlarmFacts(alarm.key, alarm.source, int(alarm.priority),
                                    alarm.state.value, alarm.message, alarm.raised_ns,
                                    history))  # fmt: skip
        return tuple(facts)

    def rebase(self, delta_ns: int) -> None:
        """The wall clock stepped: escalation and shelve times move with it."""
        for alarm in self.manager.alarms.values():
            shift_stamps(alarm, delta_ns, "_ns")

    # -- restart ----------------------------------------------------------------------------

    def resume(self, reader: JournalReader, others: Callable[[Record], None] | None = None) -> int:
        """Rebuild every alarm from the ``alarms`` stream; returns the transitions replayed.

        ``others`` sees the stream's other records (the deliveries, for the router)."""
        transitions = []
        for record in reader.stream_records(ALARM_STREAM):
            if record.kind.startswith("alarm_"):
                transitions.append(transition_from_record(record))
            elif others is not None:
                others(record)
        for t in transitions:
            self._remember(t)
        shelved = {
            t.key: int(t.detail.removeprefix("until_ns="))
            for t in transitions
            if t.action == "shelved" and t.detail.startswith("until_ns=")
        }
        self.manager.replay(transitions, shelved)
        return len(transitions)

    # -- internals --------------------------------------------------------------------------

    def _record(self, transitions: list[AlarmTransition], notes: list[Notification]) -> None:
        for t in transitions:
            self.journal.append_event(ALARM_STREAM, t.kind, t.fields(), ts=t.ts)
            self._remember(t)
            alarm = self.manager.alarms.get(t.key)
            if alarm is None:
                continue
            for listener in self.listeners:
                try:
                    listener(alarm, t)
                except Exception:  # a listener's fault must not stop the record or the others
                    log.exception("alarm listener failed on %s", t.key)
        for note in notes:
            self._notify(note)

    def _remember(self, t: AlarmTransition) -> None:
        lines = self._history.setdefault(t.key, deque(maxlen=HISTORY_LINES))
        sig = t.signature
        who = f"{sig.printed_name} ({sig.user})" if sig else ""
        lines.append(HistoryLine(t.ts, t.action.replace("_", " "), who, sig.comment if sig else ""))


def transition_from_record(record: Record) -> AlarmTransition:
    f = record.fields
    signature = None
    if "user" in f:
        signature = Signature(str(f["user"]), str(f.get("printed_name", "")),
                              str(f.get("meaning", "")), str(f.get("comment", "")))  # fmt: skip
    return AlarmTransition(
        ts=record.ts,
        key=str(f["alarm"]),
        action=str(f["action"]),
        state_from=AlarmState(str(f["state_from"])),
        state_to=AlarmState(str(f["state_to"])),
        source=str(f["source"]),
        priority=Priority(int(f["priority"])),
        message=str(f["message"]),
        signature=signature,
        detail=str(f.get("detail", "")),
    )


def _message(event: Event) -> str:
    fields = event.fields()
    reason = fields.get("reason") or fields.get("message") or fields.get("reasons")
    text = f"{event.kind.replace('_', ' ')} on {event.subject}"
    return f"{text}: {reason}" if reason else text
