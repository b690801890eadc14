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
    taken: asyncio.Future[None] | None = None


class MqttPublisher:
    """``publish`` never blocks; ``run`` delivers until cancelled, reconnecting with backoff."""

    def __init__(self, broker: MqttBroker, *, max_queued: int = 10_000) -> None:
        self.connector = MqttConnector(broker, "publisher")
        self.prefix = broker.prefix
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
        self._enqueue(topic, message, retain, None)

    async def deliver(self, topic: str, message: Any, retain: bool = False) -> None:
        """Queue ``message`` and wait until the broker has taken it (QoS 1 acknowledged)."""
        taken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(topic, message, retain, taken)
        await taken

    def _enqueue(
        self, topic: str, message: Any, retain: bool, taken: asyncio.Future[None] | None
    ) -> None:
        payload = json.dumps(message, sort_keys=True, ensure_ascii=False).encode()
        if len(self._queue) == self._queue.maxlen:
            dropped = self._queue[0]
            if dropped.taken is not None and not dropped.taken.done():
                dropped.taken.set_exception(ConnectionError("publish queue overflowed"))
        self._queue.append(Outgoing(f"{self.prefix}/{topic}", payload, retain, taken))
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

    async def drain(self, timeout_s: float) -> int:
        """At a stop, after ``run`` was cancelled: deliver what is still queued (the last
        chain heads among it) over a connection of its own, within ``timeout_s``."""
        before = self.sent
        if not self._queue:
            return 0
        try:
            async with asyncio.timeout(timeout_s), self.connector.client() as client:
                await self._send_queued(client)
        except (aiomqtt.MqttError, TimeoutError) as exc:
            log.warning("MQTT publisher: %d message(s) not delivered at stop (%s)",
                        len(self._queue), exc)  # fmt: skip
        return self.sent - before

    async def _drain(self, client: aiomqtt.Client) -> None:
        while True:
            await self._send_queued(client)
            self._wake.clear()
            await self._wake.wait()

    async def _send_queued(self, client: aiomqtt.Client) -> None:
        while self._queue:
            message = self._queue[0]
            await client.publish(message.topic, message.payload, qos=1, retain=message.retain)
            stop_if_cancelled()
            self._queue.popleft()
            self.sent += 1
            if message.taken is not None and not message.taken.done():
                message.taken.set_result(None)
