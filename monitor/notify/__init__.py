"""Telling people: one queue per channel, every delivery attempt a journal record.

``message`` is what people read; ``channel`` what a channel is; ``routing`` who is told on
which channel, by priority, on-call shift and escalation; ``dispatcher`` queues deliveries
per channel and delivers them with retries, journaling each attempt; each other module is
one channel (``mqtt``, ``email``, ``webhook``, ``command``, ``relay``) or a keep-alive
(``heartbeat``, ``keepalive``).
"""

from monitor.notify.channel import Channel, Delivery, DeliveryFailed, Recipient, delivery_of
from monitor.notify.message import AlarmFacts, HistoryLine, Message, Place, message_of

__all__ = [
    "AlarmFacts",
    "Channel",
    "Delivery",
    "DeliveryFailed",
    "HistoryLine",
    "Message",
    "Place",
    "Recipient",
    "delivery_of",
    "message_of",
]
