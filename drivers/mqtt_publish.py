"""Publishing to the broker: alarm notifications, retained alarm states and chain heads.

Messages wait in a bounded queue while the broker is away and go out, oldest first, when
it is back; a retained message per alarm and per stream head means a late subscriber (a
supervisor's phone, a central server) sees the current state at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiomqtt

from config.links import MqttBroker
from drivers.backoff import Backoff
from drivers.mqtt_connect import MqttConnector, stop_if_cancelled

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    payload: bytes
    retain: bool


class MqttPublisher:
    """``publish`` never blocks; ``run`` delivers until cancelled, reconnecting with backoff."""

    def __init__(self, broker: MqttBroker, *, max_queued: int = 10_000) -> None:
        self.connector = MqttConnector(broker, "publisher")
        self.prefix = broker.topic_prefix.rstrip("/")
        self._backoff = Backoff(broker.backoff.initial_s, broker.backoff.max_s)
        self._queue: deque[Outgoing] = deque(maxlen=max_queued)
        self._wake = asyncio.Event()
        self.sent = 0
        self.connected = False

    @property
    def pending(self) -> int:
        """Messages queued, not yet taken by the broker."""
        return len(self._queue)

    def publish(self, topic: str, message: Any, retain: bool = False) -> None:
        """Queue ``message`` (JSON-encoded) on ``prefix/topic``."""
        payload = json.dumps(message, sort_keys=True, ensure_ascii=False).encode()
        self._queue.append(Outgoing(f"{self.prefix}/{topic}", payload, retain))
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                async with self.connector.client() as client:
                    # aiomqtt's wait_for can swallow a cancel on Python 3.11 (gh-86296).
                    stop_if_cancelled()
                    if not self.connected:
                        log.info("MQTT publisher connected to %s", self.connector.address)
                    self.connected = True
                    self._backoff.reset()
                    await self._drain(client)
            except aiomqtt.MqttError as exc:
                stop_if_cancelled()  # a failed disconnect may have replaced the cancel
                if self.connected:
                    log.warning("MQTT publisher: %s", self.connector.describe(exc))
                self.connected = False
                await asyncio.sleep(self._backoff.next_delay())

    async def _drain(self, client: aiomqtt.Client) -> None:
        while True:
            while self._queue:
                message = self._queue[0]
                await client.publish(message.topic, message.payload, qos=1, retain=message.retain)
                stop_if_cancelled()
                self._queue.popleft()
                self.sent += 1
            self._wake.clear()
            await self._wake.wait()
