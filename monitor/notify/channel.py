"""What a notification channel is: a name, and a way to deliver one message to one person.

A channel's ``deliver`` returns when the receiver has taken the message (a broker's
acknowledgement, an SMTP server's 250, an HTTP 2xx, an exit status 0) and raises
``DeliveryFailed`` with the receiver's answer otherwise; the dispatcher times it out,
retries and journals each attempt. Every delivery carries an idempotency key, the same on
every attempt, so a receiver can drop the repeat that follows a timeout.

A channel that speaks to people (e-mail, webhook, command) gets one delivery per person the
policy names (``per_person``); one that speaks to a place (MQTT, the relay) gets one per
message, with no recipient.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from monitor.alarms import Notification
from monitor.notify.message import Message


class DeliveryFailed(Exception):
    """The receiver refused the message, or could not be reached; the text says which.

    ``result`` is what the journal records: ``refused`` (an answer said no), ``unreachable``
    (no connection) or ``timed_out`` (no answer in time: the receiver may have it)."""

    def __init__(self, text: str, result: str = "refused") -> None:
        super().__init__(text)
        self.result = result


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person of the settings' ``[notify.people]``, as the channels see her."""

    id: str
    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message for one channel and (for a per-person channel) one person."""

    message: Message
    channel: str
    to: Recipient | None
    key: str

    @property
    def recipient_id(self) -> str:
        return self.to.id if self.to is not None else ""


def delivery_of(message: Message, channel: str, to: Recipient | None) -> Delivery:
    """The delivery, keyed by message, channel and person: stable over every retry."""
    who = to.id if to is not None else "*"
    key = hashlib.sha256(f"{message.key}|{channel}|{who}".encode()).hexdigest()[:32]
    return Delivery(message, channel, to, key)


class Channel(Protocol):
    """One way of reaching people (MQTT, e-mail, webhook, command, relay)."""

    @property
    def name(self) -> str: ...

    @property
    def per_person(self) -> bool: ...

    async def deliver(self, delivery: Delivery) -> str:
        """Deliver, returning the receiver's answer; raise ``DeliveryFailed`` otherwise."""
        ...


__all__ = ["Channel", "Delivery", "DeliveryFailed", "Notification", "Recipient", "delivery_of"]
