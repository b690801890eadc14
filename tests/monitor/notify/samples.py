"""Sample messages and deliveries for the channel tests: a fridge excursion on site lab."""

from __future__ import annotations

from monitor.alarms import Notification, Priority
from monitor.notify import AlarmFacts, Delivery, HistoryLine, Place, Recipient, delivery_of
from monitor.notify.message import message_of

T0 = 1_790_000_000 * 1_000_000_000
PLACE = Place("lab", "Lactarium de test", "pi-1", "Europe/Paris", "https://lactamon.lab:8470")
ALICE = Recipient("alice", "Alice Martin", "alice@lab.example", "+33 6 12 34 56 78")
FACTS = AlarmFacts(
    "band:F1",
    "F1",
    1,
    "active_unacknowledged",
    "fridge F1 out of 0..4 °C for 10 min (worst 6.2 °C)",
    T0,
    (HistoryLine(T0, "raised"),),
)


def note(reason: str = "raised", ts: int = T0) -> Notification:
    return Notification(ts, reason, ("band:F1",), Priority.CRITICAL, FACTS.message)


def delivery(channel: str, to: Recipient | None = ALICE, reason: str = "raised") -> Delivery:
    return delivery_of(message_of(note(reason), PLACE, (FACTS,)), channel, to)
