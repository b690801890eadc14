"""Chain heads published outside the journal: each checkpoint and seal on a retained MQTT topic.

A witness the Pi does not control: once a signed head sits on the broker (and in InfluxDB,
where it goes as a point like every record), rewriting the journal before that head shows.
Each stream has its retained topic ``<prefix>/heads/<stream>`` holding its latest signed head,
so a subscriber arriving late (a central server, an inspector's tool) gets every head at once.
The payload is the record in the bundle's record format (monitor/journal/README.md) with the
``site`` and ``device`` that wrote it (several units may share a broker), which
``head_from_message`` reads back and ``signing.check_signed_record`` checks alone with the
public key.

It looks each second, and only when the journal committed since its last look: outside a
cycle the journal commits every ten seconds. Its delivery mark moves only when it published:
moved past rows that held no head, the mark would be written with every commit of a cycle,
one page more each second for the SD card; a restart reads again at most the rows since the
last head, a few minutes of them (a stream is signed every ``checkpoint_every_s``).
"""

from __future__ import annotations

import logging

from drivers.mqtt_publish import MqttPublisher
from monitor.clock import sleep_to_beat
from monitor.journal import Journal, JournalReader
from monitor.journal.head_messages import head_message, head_topic
from monitor.journal.signing import SIGNED_KINDS

log = logging.getLogger(__name__)

SINK = "mqtt-heads"
_BATCH = 1000


class ChainHeadPublisher:
    """Follows the journal and publishes every new checkpoint and seal, retained."""

    def __init__(
        self,
        journal: Journal,
        publisher: MqttPublisher,
        interval_s: float,
        site: str = "",
        device: str = "",
    ) -> None:
        self.journal, self.publisher, self.interval_s = journal, publisher, interval_s
        self.site, self.device = site, device
        self.sent_up_to = journal.outbox.sent_up_to(SINK)
        self.published = 0
        self.looks = 0  # the reads of the journal: one per commit at most
        self._seen_commits = -1

    async def run(self) -> None:
        with JournalReader(self.journal.path) as reader:
            while True:
                self.publish_new(reader)
                await sleep_to_beat(self.interval_s)  # real time, like the commits

    def publish_last(self) -> int:
        """At a clean stop, once the journal signed every head: queue those not yet sent."""
        with JournalReader(self.journal.path) as reader:
            return self.publish_new(reader)

    def publish_new(self, reader: JournalReader) -> int:
        """Queue the heads committed since the last call; how many."""
        commits = self.journal.commits
        if commits == self._seen_commits:
            return 0
        self._seen_commits, self.looks = commits, self.looks + 1
        count = 0
        while True:
            with reader.snapshot():
                batch, up_to = reader.scan_after(self.sent_up_to, _BATCH, SIGNED_KINDS)
            for _, record in batch:
                message = head_message(record, self.site, self.device)
                self.publisher.publish(head_topic(record.stream), message, True)
            count += len(batch)
            if batch:
                # Queued is enough: a head lost with the queue is superseded by the next one.
                self.journal.outbox.mark_sent(SINK, up_to)
            self.sent_up_to = up_to
            if len(batch) < _BATCH:
                self.published += count
                return count
