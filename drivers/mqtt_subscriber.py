"""The MQTT driver: one subscriber per broker, turning probe messages into readings.

It subscribes to every probe topic (QoS 1), stamps each message with the clock at receipt (a
device's own ``Time`` field is informative only: device clocks are not trusted), parses it
with the probe's payload style and hands a ``Reading`` to the sink. Malformed payloads are
counted per probe and reason and logged (rate-limited); they never stop the driver.

Retained messages are ignored. A retained message arrives when the subscription is made and
carries a value of unknown age; stamped at receipt it would pass an old temperature off as a
fresh one, which is exactly what a silent probe must never get (docs/RULES.md, Probe faults and
plausibility, F4). Live messages are delivered to an existing subscription with the retain flag
cleared (MQTT 3.1.1 §3.3.1.3), so a device that publishes retained values loses nothing by
this.

A probe may name its device's availability topic (``drivers.mqtt_availability``): the
device's "offline" makes it unavailable at once, with that reason. Those messages are read
even when retained, since a last will is retained on purpose. Messages that carry no
temperature by design (a Shelly notification about its battery) are counted as ignored.

Reconnecting is this driver's job: after a broker restart or a network cut it reconnects with
a capped exponential backoff and subscribes again. While the broker is unreachable every one of
its probes is unavailable (logged once each); each comes back with its next message.

Each message is handled as the client reads it (``mqtt_handoff``): what the daemon has not
read yet waits in the broker, never in the daemon's memory. To know how far behind that
leaves it, the driver sends itself a marker through the broker every second
(``mqtt_watermark``); each one read is handed to the sink in its place among the readings,
and a probe's silence is judged only up to the last one (docs/RULES.md, F9).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import aiomqtt
from paho.mqtt.reasoncodes import ReasonCode

from config.links import MqttBroker
from config.probe_limits import ProbeLimits
from config.probes import MqttSource, Probe
from drivers.availability import AvailabilityTracker
from drivers.backoff import Backoff
from drivers.mqtt_availability import AvailabilityWatch
from drivers.mqtt_connect import MqttConnector, stop_if_cancelled
from drivers.mqtt_payload import MessageIgnored, PayloadParser, PayloadRejected, RejectReason
from drivers.mqtt_watermark import NOT_ECHOED_S, WatermarkLedger, marker_every_s, send_markers
from drivers.qualify import ReadingQualifier
from drivers.reject_log import RejectLog
from drivers.sink import ReadingSink
from monitor.clock import Clock

log = logging.getLogger(__name__)


@dataclass
class MqttCounters:
    """What the subscriber has seen since it started, for tests and the status page."""

    received: int = 0
    accepted: int = 0
    ignored: int = 0
    retained_ignored: int = 0
    offline: int = 0
    rejected: Counter[tuple[str, RejectReason]] = field(default_factory=Counter)
    connections: int = 0
    connect_failures: int = 0
    watermarks: int = 0  # markers read back (not counted in ``received``)

    def rejected_total(
        self, probe_id: str | None = None, reason: RejectReason | None = None
    ) -> int:
        return sum(
            n
            for (p, r), n in self.rejected.items()
            if (probe_id is None or p == probe_id) and (reason is None or r == reason)
        )


class MqttSubscriber:
    """Receives the probes of one broker until cancelled; see the module docstring."""

    def __init__(
        self,
        broker: MqttBroker,
        probes: Iterable[Probe],
        sink: ReadingSink,
        clock: Clock,
        *,
        limits: Mapping[str, ProbeLimits] | None = None,
        logger: logging.Logger = log,
        reject_log_interval_s: float = 60.0,
        timeout_s: float = 10.0,
        not_echoed_s: float = NOT_ECHOED_S,
    ) -> None:
        self.connector = MqttConnector(broker, "probes", timeout_s=timeout_s)
        self.marker_connector = MqttConnector(broker, "probes-markers", timeout_s=timeout_s)
        self.watermark_topic = f"{broker.prefix}/watermark"
        self.watermarks = WatermarkLedger(f"{self.connector.client_id}-{secrets.token_hex(4)}")
        self._not_echoed_s = not_echoed_s
        self._routes: dict[str, list[tuple[Probe, PayloadParser]]] = {}
        self._watches: dict[str, list[AvailabilityWatch]] = {}
        self.probes: list[Probe] = []
        for probe in probes:
            source = probe.source
            if isinstance(source, MqttSource):
                parser = PayloadParser(source)
                self._routes.setdefault(source.topic, []).append((probe, parser))
                self.probes.append(probe)
                offline = source.offline_word()
                if source.availability_topic is not None and offline is not None:
                    watch = AvailabilityWatch(probe.id, source.availability_topic, offline)
                    self._watches.setdefault(watch.topic, []).append(watch)
        self._qualify = ReadingQualifier(self.probes, limits)
        self._sink = sink
        self._clock = clock
        self._log = logger
        self.tracker = AvailabilityTracker(self.probes, sink, logger)
        self.rejects = RejectLog(logger, reject_log_interval_s)
        self.counters = MqttCounters()
        self.subscribed = asyncio.Event()
        self._link_ok: bool | None = None
        self._problem: str | None = None
        self._retained_topics_logged: set[str] = set()

    @property
    def topics(self) -> list[str]:
        """Every topic subscribed to: the probes' values and their devices' availability."""
        return sorted(set(self._routes) | set(self._watches))

    async def run(self) -> None:
        """Connect, subscribe, receive and reconnect, until cancelled."""
        self.tracker.start(self._clock.now_ns())
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._connect_forever(), name="mqtt-probes-session")
                group.create_task(self._watch(), name="mqtt-probes-watch")
                group.create_task(self._send_watermarks(), name="mqtt-probes-watermarks")
        finally:
            self.rejects.flush()

    async def _connect_forever(self) -> None:
        backoff = Backoff(
            self.connector.broker.backoff.initial_s, self.connector.broker.backoff.max_s
        )
        while True:
            connected = False
            try:
                async with self.connector.client(on_message=self._on_message) as client:
                    stop_if_cancelled()
                    connected = True
                    await self._subscribe(client)
                    stop_if_cancelled()
                    backoff.reset()
                    # Messages are handled as they are read; this only ends with the session.
                    async for message in client.messages:
                        self._on_message(message)
                problem = f"broker {self.connector.address} closed the session"
            except aiomqtt.MqttError as exc:
                stop_if_cancelled()
                problem = self.connector.describe(exc)
            finally:
                self.subscribed.clear()
                self.watermarks.end_session()
            if not connected:
                self.counters.connect_failures += 1
            delay = backoff.next_delay()
            self._link_failed(problem, delay)
            # Reconnection waits are real time: a broker restarts in real seconds.
            await asyncio.sleep(delay)

    async def _subscribe(self, client: aiomqtt.Client) -> None:
        topics = self.topics
        self.watermarks.start_session()
        wanted = [*topics, self.watermark_topic]
        codes = await client.subscribe([(topic, 1) for topic in wanted])
        now = self._clock.now_ns()
        for topic, code in zip(wanted, codes, strict=False):
            if _refused(code):
                reason = f"broker refused the subscription to {topic} ({code}; check its ACL)"
                self._log.error("MQTT %s: %s", self.connector.address, reason)
                for probe, _ in self._routes.get(topic, []):
                    self.tracker.failed(probe.id, reason, now)
        self.counters.connections += 1
        if self._link_ok is False:
            self._log.warning(
                "MQTT %s: connected again; subscribed to %d topics",
                self.connector.address,
                len(topics),
            )
        else:
            self._log.info(
                "MQTT %s: connected; subscribed to %d topics", self.connector.address, len(topics)
            )
        self._link_ok = True
        self._problem = None
        self.subscribed.set()

    def _on_message(self, message: aiomqtt.Message) -> None:
        payload = message.payload
        data = payload if isinstance(payload, bytes) else str(payload or "").encode()
        self.handle_message(message.topic.value, data, message.retain)

    def handle_message(self, topic: str, payload: bytes, retain: bool) -> None:
        """One message as received; stamped now, parsed for every probe on its topic."""
        if topic == self.watermark_topic:
            mark = self.watermarks.returned(payload, self._clock.now_ns())
            if mark is not None:
                self.counters.watermarks += 1
                if mark.lost:
                    self._log.warning(
                        "MQTT %s: the broker dropped messages meant for this unit (%d lag "
                        "markers never came back): its queue for the unit is full "
                        '(max_queued_messages, README.md "Lag and overload")',
                        self.connector.address,
                        mark.lost,
                    )
                self._sink.watermark(mark)
            return
        self.counters.received += 1
        watches = self._watches.get(topic)
        if watches is not None:
            self._availability(watches, payload)
        routes = self._routes.get(topic)
        if routes is None:
            if watches is None:
                self._log.debug("MQTT: message on unexpected topic %s ignored", topic)
            return
        if retain:
            self.counters.retained_ignored += 1
            if topic not in self._retained_topics_logged:
                self._retained_topics_logged.add(topic)
                self._log.info("MQTT %s: retained message ignored (a value of unknown age)", topic)
            return
        ts = self._clock.now_ns()
        for probe, parser in routes:
            try:
                temperature = parser.parse(payload)
            except PayloadRejected as exc:
                self.counters.rejected[(probe.id, exc.reason)] += 1
                self.rejects.reject(f"probe {probe.id} ({topic})", exc.reason.value, exc.detail)
                continue
            except MessageIgnored:
                self.counters.ignored += 1
                continue
            reading = self._qualify.reading(probe, temperature.value, ts, temperature.unit)
            self._sink.reading(reading)
            self.tracker.seen(probe.id, ts)
            self.counters.accepted += 1

    def _availability(self, watches: list[AvailabilityWatch], payload: bytes) -> None:
        now = self._clock.now_ns()
        for watch in watches:
            reason = watch.offline_reason(payload)
            if reason is not None:
                self.counters.offline += 1
                self.tracker.failed(watch.probe_id, reason, now)

    def _link_failed(self, problem: str, retry_s: float) -> None:
        # The first failure of an outage is an error; identical retries stay at debug level.
        level = logging.DEBUG if problem == self._problem else logging.ERROR
        self._log.log(level, "MQTT: %s; retrying in %g s", problem, retry_s)
        self._link_ok = False
        self._problem = problem
        now = self._clock.now_ns()
        for probe in self.probes:
            self.tracker.failed(probe.id, problem, now)

    async def _watch(self) -> None:
        """Mark silent probes unavailable, and write the reject summaries that are due."""
        interval_s = min((p.stale_after_s for p in self.probes), default=60.0) / 4
        while True:
            await self._clock.sleep(interval_s)
            self.tracker.check_silence(self._clock.now_ns(), self.watermarks.heard_until())
            self.rejects.flush_due()

    async def _send_watermarks(self) -> None:
        """A marker through the broker while subscribed, every third of the shortest stale
        limit of the probes, 1 to 5 s (``mqtt_watermark``)."""
        await send_markers(
            self.watermarks,
            self.marker_connector,
            self.watermark_topic,
            self._clock,
            self.subscribed,
            self._log,
            self._not_echoed_s,
            marker_every_s(p.stale_after_s for p in self.probes),
        )


def _refused(code: object) -> bool:
    """A SUBACK return code of 0x80 or more means the broker refused that subscription."""
    if isinstance(code, ReasonCode):
        return bool(code.is_failure)
    return isinstance(code, int) and code >= 0x80
