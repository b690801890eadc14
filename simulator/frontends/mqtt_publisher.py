"""The simulator's MQTT front-end: every MQTT probe of a settings file, published from the lab.

It reads the same settings file as the service and connects to the configured broker (same
host, credentials and TLS), then publishes each MQTT probe on its topic at its sample period,
in its payload style (``mqtt_payloads``). Nothing is published for a probe that gives no
answer, nor for any probe while the lab's ``mqtt`` link is down. Messages are not retained,
as sensors' telemetry is not. After a broker restart it reconnects with the broker's backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from types import TracebackType

import aiomqtt

from config.probes import MqttSource, Probe
from config.settings import Settings
from drivers.backoff import Backoff
from drivers.mqtt_connect import MqttConnector, stop_if_cancelled
from monitor.clock import Clock, ns_to_datetime
from simulator.frontends.mqtt_payloads import render_payload
from simulator.frontends.shared import ValueSource

log = logging.getLogger(__name__)

# The link id a scenario uses for the broker (``link = "mqtt"`` on fridges and freezers).
MQTT_LINK_ID = "mqtt"


@dataclass
class PublishCounters:
    published: int = 0
    silent: int = 0
    connections: int = 0
    connect_failures: int = 0


class MqttFrontend:
    """Publishes the MQTT probes of ``settings`` from ``values`` (the lab), until cancelled."""

    def __init__(
        self,
        settings: Settings,
        values: ValueSource,
        clock: Clock,
        *,
        link_id: str = MQTT_LINK_ID,
        timeout_s: float = 10.0,
    ) -> None:
        if settings.mqtt is None:
            raise ValueError("the settings have no [mqtt] section: no broker to publish to")
        self.connector = MqttConnector(settings.mqtt, "sim", timeout_s=timeout_s)
        self._topics: dict[str, str] = {}
        self.probes: list[Probe] = []
        for probe in settings.probes:
            if isinstance(probe.source, MqttSource):
                self.probes.append(probe)
                self._topics[probe.id] = probe.source.topic
        for probe in self.probes:
            try:
                values.probe_output(probe.id)
            except LookupError:
                raise ValueError(f"MQTT probe {probe.id} is not in the simulated lab") from None
        self._values = values
        self._clock = clock
        self._link_id = link_id
        self.counters = PublishCounters()
        self.connected = asyncio.Event()
        self._failing: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Connect, publish, reconnect after a failure; until cancelled."""
        broker = self.connector.broker
        backoff = Backoff(broker.backoff.initial_s, broker.backoff.max_s)
        while True:
            connected = False
            try:
                async with self.connector.client() as client:
                    stop_if_cancelled()
                    connected = True
                    self.counters.connections += 1
                    log.info("MQTT simulator: connected to %s", self.connector.address)
                    self._failing = None
                    self.connected.set()
                    backoff.reset()
                    await self._publish_forever(client)
                problem = "the session ended"
            except aiomqtt.MqttError as exc:
                stop_if_cancelled()
                problem = self.connector.describe(exc)
            finally:
                self.connected.clear()
            if not connected:
                self.counters.connect_failures += 1
            delay = backoff.next_delay()
            level = logging.DEBUG if problem == self._failing else logging.WARNING
            log.log(level, "MQTT simulator: %s; retrying in %g s", problem, delay)
            self._failing = problem
            await asyncio.sleep(delay)

    async def _publish_forever(self, client: aiomqtt.Client) -> None:
        now = self._clock.monotonic()
        due = {probe.id: now for probe in self.probes}
        if not self.probes:
            await asyncio.Event().wait()  # nothing to publish; hold the connection
        while True:
            for probe in self.probes:
                if due[probe.id] <= self._clock.monotonic():
                    await self._publish_probe(client, probe)
                    stop_if_cancelled()
                    due[probe.id] = max(
                        due[probe.id] + probe.sample_period_s, self._clock.monotonic()
                    )
            await self._clock.sleep(min(due.values()) - self._clock.monotonic())

    async def _publish_probe(self, client: aiomqtt.Client, probe: Probe) -> None:
        """Publish ``probe``'s current output (or nothing, when it is silent or the link down)."""
        payload = None
        if self._link_up():
            when = ns_to_datetime(self._clock.now_ns())
            payload = render_payload(probe, self._values.probe_output(probe.id), when)
        if payload is None:
            self.counters.silent += 1
            return
        await client.publish(self._topics[probe.id], payload, qos=1, retain=False)
        self.counters.published += 1

    def _link_up(self) -> bool:
        try:
            return self._values.link_up(self._link_id)
        except LookupError:
            return True  # a broker the lab does not model as a link is never cut

    async def __aenter__(self) -> MqttFrontend:
        self._task = asyncio.create_task(self.run(), name="mqtt front-end")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
