"""Chain heads published outside the journal: each checkpoint and seal on a retained MQTT topic.

A witness the Pi does not control: once a signed head sits on the broker (and in InfluxDB,
where it goes as a point like every record), rewriting the journal before that head shows.
Each stream has its retained topic ``<prefix>/heads/<stream>`` holding its latest signed head,
so a subscriber arriving late (a central server, an inspector's tool) gets every head at once.
The payload is the record in the bundle's record format (monitor/journal/README.md), which
``head_from_message`` reads back and ``signing.check_signed_record`` checks alone with the
public key.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from drivers.mqtt_publish import MqttPublisher
from monitor.journal import Journal, JournalReader, Record, Unreadable
from monitor.journal.bundle import parse_record_line, record_line
from monitor.journal.signing import SIGNED_KINDS

log = logging.getLogger(__name__)

SINK = "mqtt-heads"
_BATCH = 1000


def head_topic(stream: str) -> str:
    """``heads/<stream>``; the MQTT wildcards and level separator cannot be in a topic level."""
    return "heads/" + stream.replace("/", "_").replace("+", "_").replace("#", "_")


def head_message(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record_line(record))
    return data


def head_from_message(payload: bytes) -> Record | Unreadable:
    """The checkpoint or seal a head message carries, or why it cannot be read."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Unreadable(None, None, None, "head message", f"not UTF-8: {exc}")
    return parse_record_line(text, 1)


class ChainHeadPublisher:
    """Follows the journal and publishes every new checkpoint and seal, retained."""

    def __init__(self, journal: Journal, publisher: MqttPublisher, interval_s: float) -> None:
        self.journal, self.publisher, self.interval_s = journal, publisher, interval_s
        self.sent_up_to = journal.outbox.sent_up_to(SINK)
        self.published = 0

    async def run(self) -> None:
        with JournalReader(self.journal.path) as reader:
            while True:
                self.publish_new(reader)
                await asyncio.sleep(self.interval_s)  # real time, like the commits

    def publish_new(self, reader: JournalReader) -> int:
        """Queue the heads committed since the last call; how many."""
        count = 0
        while True:
            with reader.snapshot():
                batch, up_to = reader.scan_after(self.sent_up_to, _BATCH, SIGNED_KINDS)
            for _, record in batch:
                self.publisher.publish(head_topic(record.stream), head_message(record), True)
            count += len(batch)
            if up_to != self.sent_up_to:
                # Queued is enough: a head lost with the queue is superseded by the next one.
                self.journal.outbox.mark_sent(SINK, up_to)
                self.sent_up_to = up_to
            if len(batch) < _BATCH:
                self.published += count
                return count
