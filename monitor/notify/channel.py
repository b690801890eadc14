"""What a notification channel is: a name, and a way to deliver one message.

A channel's ``deliver`` returns when the receiver has taken the message (a broker's
acknowledgement, an SMTP server's 250, an HTTP 2xx) and raises ``DeliveryFailed`` with the
receiver's answer otherwise; the dispatcher times it out, retries and journals each
attempt. Every message carries an idempotency key, the same on every attempt, so a receiver
can drop the repeat that follows a timeout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.alarms import Notification


class DeliveryFailed(Exception):
    """The receiver refused the message, or could not be reached; the text says which."""


@dataclass(frozen=True, slots=True)
class Message:
    """A notification as every channel renders it."""

    key: str
    note: Notification

    def as_json(self) -> dict[str, Any]:
        n = self.note
        return {
            "idempotency_key": self.key,
            "reason": n.reason,
            "alarms": list(n.alarms),
            "ts": n.ts,
            "priority": int(n.priority),
            "message": n.message,
            "escalation_level": n.escalation_level,
        }


def message_of(note: Notification, device: str) -> Message:
    """The message of a notification, keyed by what it says and when (stable on retries)."""
    text = f"{device}|{note.ts}|{note.reason}|{','.join(note.alarms)}|{note.escalation_level}"
    return Message(hashlib.sha256(text.encode()).hexdigest()[:32], note)


class Channel(Protocol):
    """One way of reaching people (MQTT, e-mail, webhook, command, relay)."""

    @property
    def name(self) -> str: ...

    async def deliver(self, message: Message) -> str:
        """Deliver, returning the receiver's answer; raise ``DeliveryFailed`` otherwise."""
        ...
