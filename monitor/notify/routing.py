"""Who is told of a notification, on which channel, and from when: the policy applied.

docs/RULES.md, Notifications. A raised alarm goes to its policy's first list (the on-call
shift's list of that moment for ``on-call``); each escalation adds the next list; a repeat,
a return to normal and an acknowledgement go to everyone told so far (as the policy says).
Channels that speak to a place (MQTT, the relay) get every message of their policy once;
the relay gets every message, because it shows the state of all alarms. A lower priority
that waits for working hours is held until they open.

The router remembers who was told of each alarm; after a restart it learns it back from the
journal's ``notification_delivered`` records (``remember``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from config.notify import ON_CALL, NotifySettings, Policy, PriorityName
from monitor.alarms import Priority
from monitor.notify.channel import Recipient
from monitor.notify.message import Message
from monitor.notify.schedule import covers, local_time, next_opening

NS = 1_000_000_000
RELAY = "relay"
PRIORITY_NAMES: dict[Priority, PriorityName] = {
    Priority.CRITICAL: "critical",
    Priority.HIGH: "high",
    Priority.MEDIUM: "medium",
    Priority.LOW: "low",
}
TELL_TOLD = ("renotify", "cleared", "acknowledged")


@dataclass(frozen=True, slots=True)
class Route:
    """One delivery to make: a channel, a person (or none), and the earliest time."""

    channel: str
    to: Recipient | None
    not_before_ns: int = 0


class Router:
    """The notification settings applied to each message."""

    def __init__(self, settings: NotifySettings, zone: ZoneInfo, channels: dict[str, bool]) -> None:
        """``channels`` maps each available channel to whether it speaks to people."""
        self.settings = settings
        self.zone = zone
        self.channels = channels
        self.told: dict[str, set[str]] = {}

    def policy(self, priority: Priority) -> Policy | None:
        return self.settings.policies.get(PRIORITY_NAMES[priority])

    def on_call(self, ts: int) -> str:
        """The list on call at ``ts``: the first shift that covers it, else the default."""
        when = local_time(ts, self.zone)
        for shift in self.settings.on_call:
            if covers(shift.days, shift.start, shift.end, when):
                return shift.list
        return self.settings.default_list

    def people(self, list_name: str, ts: int) -> list[Recipient]:
        name = self.on_call(ts) if list_name == ON_CALL else list_name
        return [self.recipient(pid) for pid in self.settings.lists.get(name, [])]

    def recipient(self, person_id: str) -> Recipient:
        p = self.settings.people[person_id]
        return Recipient(person_id, p.name, p.email, p.phone)

    def remember(self, alarms: Collection[str], person_id: str) -> None:
        """A delivery the journal records: that person was told of those alarms."""
        if person_id in self.settings.people:
            for key in alarms:
                self.told.setdefault(key, set()).add(person_id)

    def route(self, message: Message, only: str = "", to: str = "") -> list[Route]:
        note = message.note
        if note.reason == "test":
            return self._test_routes(note.ts, only, to)
        policy = self.policy(note.priority)
        wanted = set(policy.channels) if policy else {"mqtt"}
        routes = [Route(RELAY, None)] if RELAY in self.channels else []
        routes += [Route(c, None) for c, personal in self.channels.items()
                   if not personal and c != RELAY and c in wanted]  # fmt: skip
        if policy is None:
            return routes
        people = self._people_told(message, policy)
        not_before = 0
        if policy.working_hours_only:
            hours = self.settings.working_hours
            not_before = next_opening(hours.days, hours.start, hours.end, note.ts, self.zone)
        for channel, personal in self.channels.items():
            if personal and channel in wanted:
                routes += [Route(channel, person, not_before) for person in people]
        return routes

    def _people_told(self, message: Message, policy: Policy) -> list[Recipient]:
        note = message.note
        keys = note.alarms
        told = sorted(set().union(*(self.told.get(k, set()) for k in keys)))
        if note.reason in TELL_TOLD:
            if note.reason == "cleared" and not policy.tell_cleared:
                return []
            if note.reason == "acknowledged" and not policy.tell_acknowledged:
                return []
            if note.reason == "renotify" and self._stopped(message, policy):
                return []
            return [self.recipient(p) for p in told] or (
                self.people(policy.first, note.ts) if note.reason == "renotify" else []
            )
        if note.reason == "escalated":
            if self._stopped(message, policy):
                return []
            lists = policy.then or [policy.first]
            step = lists[min(max(note.escalation_level, 1), len(lists)) - 1]
            fresh = self.people(step, note.ts)
        else:  # raised, flood
            fresh = self.people(policy.first, note.ts)
        everyone = {r.id: r for r in [self.recipient(p) for p in told] + fresh}
        for person in fresh:
            self.remember(keys, person.id)
        return list(everyone.values())

    def _stopped(self, message: Message, policy: Policy) -> bool:
        if policy.stop_after_min is None:
            return False
        raised = min((f.raised_ns for f in message.facts if f.raised_ns is not None),
                     default=message.note.ts)  # fmt: skip
        return message.note.ts - raised > policy.stop_after_min * 60 * NS

    def _test_routes(self, ts: int, only: str, to: str) -> list[Route]:
        if to:
            people = [self.recipient(to)]
        else:
            keep = self.settings.keepalive
            people = self.people(keep.to if keep and keep.to else ON_CALL, ts)
        routes: list[Route] = []
        for channel, personal in self.channels.items():
            if only and channel != only:
                continue
            routes += [Route(channel, p) for p in people] if personal else [Route(channel, None)]
        return routes
