"""Telling people: one queue per channel, every delivery attempt a journal record.

``channel`` defines what a channel is; ``dispatcher`` queues notifications per channel and
delivers them with retries, journaling each attempt; each other module is one channel.
"""

from monitor.notify.channel import Channel, DeliveryFailed, Message, message_of
from monitor.notify.dispatcher import ChannelStats, Dispatcher

__all__ = ["Channel", "ChannelStats", "DeliveryFailed", "Dispatcher", "Message", "message_of"]
