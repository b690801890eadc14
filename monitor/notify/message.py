"""A notification as people read it: subject, plain text, JSON, one home for every channel.

The subject says what and where first (``[lactamon] P1 band:F1 fridge F1 out of …``); the
text gives each alarm's facts and history and how to acknowledge it; the JSON (webhook,
command, MQTT) carries the same facts, documented in the README. Times are shown in the
site's zone with UTC beside them, as in the record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.alarms import Notification

NS = 1_000_000_000
REASON_WORDS = {
    "raised": "ALARM",
    "renotify": "REPEAT",
    "escalated": "ESCALATED",
    "flood": "FLOOD",
    "cleared": "back to normal",
    "acknowledged": "acknowledged",
    "test": "TEST",
}


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One transition of an alarm: when, what, and who signed it."""

    ts: int
    action: str
    who: str = ""
    comment: str = ""


@dataclass(frozen=True, slots=True)
class AlarmFacts:
    """An alarm as it stands when the message is made."""

    key: str
    source: str
    priority: int
    state: str
    message: str
    raised_ns: int | None = None
    history: tuple[HistoryLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Place:
    """Where the message comes from, and where its links point."""

    site: str
    site_name: str
    device: str
    timezone: str = "UTC"
    base_url: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """What every channel renders; ``key`` is the same for the same news on every retry."""

    key: str
    note: Notification
    place: Place
    facts: tuple[AlarmFacts, ...] = field(default=())

    def link(self, key: str) -> str:
        if not self.place.base_url:
            return ""
        return f"{self.place.base_url.rstrip('/')}/alarms/{key}"

    def subject(self) -> str:
        n = self.note
        if n.reason == "test":
            return f"[lactamon] TEST {self.place.site}/{self.place.device}: the alarm path works"
        word = REASON_WORDS.get(n.reason, n.reason)
        if n.reason == "flood":
            what = f"{len(n.alarms)} alarms at once: {', '.join(n.alarms[:5])}"
            return f"[lactamon] P{int(n.priority)} {word} {what}"
        level = f" level {n.escalation_level}" if n.reason == "escalated" else ""
        head = n.alarms[0] if n.alarms else ""
        tag = "" if n.reason in ("raised",) else f" {word}{level}:"
        return f"[lactamon] P{int(n.priority)} {head}{tag} {n.message}".strip()

    def when(self, ts: int) -> str:
        utc = datetime.fromtimestamp(ts / NS, UTC)
        local = utc.astimezone(ZoneInfo(self.place.timezone))
        return f"{local:%Y-%m-%d %H:%M:%S %Z} ({utc:%H:%M:%S} UTC)"

    def text(self) -> str:
        n, p = self.note, self.place
        lines = [self.subject().removeprefix("[lactamon] "), ""]
        lines.append(f"Site: {p.site_name} ({p.site}), unit {p.device}")
        lines.append(f"When: {self.when(n.ts)}")
        if n.reason == "test":
            lines += ["", "This is the daily test of the alarm path. Nothing to do."]
        for fact in self.facts:
            lines += ["", f"Alarm {fact.key} (priority {fact.priority}, {fact.source})"]
            lines.append(f"  {fact.message}")
            lines.append(f"  State: {fact.state.replace('_', ' ')}")
            if fact.raised_ns is not None:
                lines.append(f"  Raised: {self.when(fact.raised_ns)}")
            if fact.history:
                lines.append("  History:")
                for h in fact.history:
                    who = f" by {h.who}" if h.who else ""
                    comment = f" ({h.comment})" if h.comment else ""
                    lines.append(f"    {self.when(h.ts)}  {h.action}{who}{comment}")
            if link := self.link(fact.key):
                lines.append(f"  Acknowledge: {link}")
        if n.reason not in ("test", "cleared", "acknowledged"):
            lines += ["", "To acknowledge, sign in with your own password:"]
            if p.base_url:
                lines.append("  on the alarm's page (links above), or")
            for key in n.alarms or ("<alarm>",):
                lines.append(f"  lactamon ack {key} --user <you> --comment '<what you did>'")
        lines += ["", f"Message key: {self.key}"]
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        n, p = self.note, self.place
        return {
            "idempotency_key": self.key,
            "reason": n.reason,
            "subject": self.subject(),
            "alarms": list(n.alarms),
            "ts": n.ts,
            "time": datetime.fromtimestamp(n.ts / NS, UTC).isoformat(),
            "priority": int(n.priority),
            "message": n.message,
            "escalation_level": n.escalation_level,
            "site": p.site,
            "device": p.device,
            "details": [
                {
                    "key": f.key,
                    "source": f.source,
                    "priority": f.priority,
                    "state": f.state,
                    "message": f.message,
                    "raised_ns": f.raised_ns,
                    "link": self.link(f.key),
                }
                for f in self.facts
            ],
        }


def message_of(note: Notification, place: Place, facts: tuple[AlarmFacts, ...] = ()) -> Message:
    """The message of a notification, keyed by what it says and when (stable on retries)."""
    text = (
        f"{place.site}|{place.device}|{note.ts}|{note.reason}|{','.join(note.alarms)}|"
        f"{note.escalation_level}"
    )
    return Message(hashlib.sha256(text.encode()).hexdigest()[:32], note, place, facts)
