"""The simulator's MQTT front-end: every MQTT probe of a settings file, published from the lab.

It reads the same settings file as the service and connects to the configured broker (same
host, credentials and TLS), then publishes each device's message on its topic at the sample
period of its fastest probe, in its preset (``mqtt_devices``): probes that share a topic are
one device and one message, as two DS18B20 on one Tasmota are. Nothing is published for a
probe that gives no answer, nor for any probe while the lab's ``mqtt`` link is down. Messages
are not retained, as sensors' telemetry is not. After a broker restart it reconnects with the
broker's backoff.

A probe with an ``availability_topic`` has its device's last will played too: the preset's
"online" word when the link is up, its "offline" word when the lab cuts the link, retained,
as the broker publishes a will for a device that vanished.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

import aiomqtt

from config.probes import MqttSource, Probe
from config.settings import Settings
from drivers.backoff import Backoff
from drivers.mqtt_connect import MqttConnector, stop_if_cancelled
from monitor.clock import Clock, ns_to_datetime
from simulator.frontends.mqtt_devices import availability_message, render_message
from simulator.frontends.shared import ValueSource

log = logging.getLogger(__name__)

# The link id a scenario uses for the broker (``link = "mqtt"`` on fridges and freezers).
MQTT_LINK_ID = "mqtt"


@dataclass
class PublishCounters:
    published: int = 0
    silent: int = 0
    availability: int = 0
    connections: int = 0
    connect_failures: int = 0


@dataclass(frozen=True)
class SimulatedDevice:
    """The probes published together in one message on ``topic``."""

    topic: str
    probes: tuple[Probe, ...]

    @property
    def period_s(self) -> float:
        return min(p.sample_period_s for p in self.probes)


def devices_of(probes: list[Probe]) -> list[SimulatedDevice]:
    """One device per topic and preset; a bare number carries one probe, so one device each."""
    members: dict[tuple[str, str], list[Probe]] = {}
    for probe in probes:
        source = probe.source
        assert isinstance(source, MqttSource)
        key = source.topic, probe.id if source.preset.plain_number else source.format
        members.setdefault(key, []).append(probe)
    return [SimulatedDevice(topic, tuple(group)) for (topic, _), group in members.items()]


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
        self.probes: list[Probe] = [p for p in settings.probes if isinstance(p.source, MqttSource)]
        self.devices = devices_of(self.probes)
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
        self._announced: bool | None = None
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
        self._announced = None  # a new session: say again where every device stands
        now = self._clock.monotonic()
        due = [now] * len(self.devices)
        if not self.devices:
            await asyncio.Event().wait()  # nothing to publish; hold the connection
        while True:
            await self._announce(client, self._link_up())
            for i, device in enumerate(self.devices):
                if due[i] <= self._clock.monotonic():
                    await self._publish_device(client, device)
                    stop_if_cancelled()
                    due[i] = max(due[i] + device.period_s, self._clock.monotonic())
            await self._clock.sleep(min(due) - self._clock.monotonic())

    async def _publish_device(self, client: aiomqtt.Client, device: SimulatedDevice) -> None:
        """Publish the device's current message (or nothing: all silent, or the link down)."""
        payload = None
        if self._link_up():
            when: datetime = ns_to_datetime(self._clock.now_ns())
            outputs = [(p, self._values.probe_output(p.id)) for p in device.probes]
            payload = render_message(outputs, when)
        if payload is None:
            self.counters.silent += 1
            return
        await client.publish(device.topic, payload, qos=1, retain=False)
        self.counters.published += 1

    async def _announce(self, client: aiomqtt.Client, online: bool) -> None:
        """Each device's last will, when the link state changes (and once per session)."""
        if online is self._announced:
            return
        sent: set[str] = set()
        for probe in self.probes:
            message = availability_message(probe, online=online)
            if message is None or message[0] in sent:
                continue
            sent.add(message[0])
            await client.publish(message[0], message[1], qos=1, retain=True)
            self.counters.availability += 1
        self._announced = online

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
