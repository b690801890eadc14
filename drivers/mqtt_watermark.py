"""Markers the MQTT driver sends itself through the broker, to know how far behind it is.

A broker keeps each subscriber's messages in one queue, in the order they came in, and a
slow subscriber's backlog waits there, where the subscriber cannot see it. So the driver
publishes, every second, a marker carrying the time it was sent on a topic it subscribes to
itself (``<prefix>/watermark``, QoS 1 like the probes; over a connection of its own,
``send_markers``). The marker joins the back of the
queue; when it is read, every message the broker held for the driver at that time has been
read before it. Its send time is the driver's watermark: silence is known up to there
(docs/RULES.md, F9), and its age is the lag.

The ledger keeps the markers of the current connection not yet back. One that comes back
after later ones were sent means the earlier ones were dropped by the broker (its queue for
this unit was full), and with them probe messages: they are counted. While a marker is late
(the driver is behind), they go out every ``MIN_GAP_REAL_S``: a broker that drops part of a
backlog then drops some of them too, and says so. Markers of another unit
sharing the prefix, or of an earlier connection, carry another token or an unknown time and
are ignored. Until one comes back on a connection, the markers are not known to work (the
broker's ACL may forbid the topic): then nothing is judged from them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable

import aiomqtt

from drivers.backoff import Backoff
from drivers.cancellation import settled, stop_if_cancelled
from drivers.mqtt_connect import MqttConnector
from drivers.sink import Watermark
from monitor.clock import NS_PER_S, Clock, sleep_to_beat

WATERMARK_EVERY_S = 1.0  # clock seconds between markers, at the most
MARKERS_PER_STALE = 3  # markers within the shortest stale limit of the link's probes
WATERMARK_MAX_EVERY_S = 5.0
MIN_GAP_REAL_S = 0.05  # at most 20 markers a real second, and that often while behind
NOT_ECHOED_S = 10.0  # real seconds after connecting before markers not back are said


def marker_every_s(stale_limits_s: Iterable[float]) -> float:
    """Clock seconds between markers: a third of the shortest stale limit, 1 to 5 s.

    A marker's round trip is a publish, a read and a pass through the pipeline: at the lab's
    load, one a second was a third of the daemon's CPU. Silence is judged up to the last
    marker read, so a device that stopped is called stale at most one interval late, a third
    of its limit; while a marker is late they go out every ``MIN_GAP_REAL_S`` whatever this is.
    """
    shortest = min(stale_limits_s, default=3 * WATERMARK_EVERY_S)
    return max(WATERMARK_EVERY_S, min(WATERMARK_MAX_EVERY_S, shortest / MARKERS_PER_STALE))


class WatermarkLedger:
    """The markers of one driver: ``stamp`` one to send, ``returned`` when one is read.

    Markers carry the clock's stamp, the horizon; how long they take is real time
    (``real``, monotonic seconds), which neither a step of the wall clock nor an accelerated
    clock distorts."""

    def __init__(
        self, token: str, source: str = "mqtt", real: Callable[[], float] = time.monotonic
    ) -> None:
        self.token = token
        self.source = source
        self.session = 0
        self.working = False
        self.lost = 0  # markers the broker never delivered, since the driver started
        self._real = real
        self._outstanding: deque[tuple[int, float]] = deque()  # (stamp, real time sent)
        self._heard_until: int | None = None

    def start_session(self) -> None:
        """A new connection: markers of the previous one will never come back."""
        self.session += 1
        self.end_session()

    def end_session(self) -> None:
        self.working = False
        self._outstanding.clear()
        self._heard_until = None

    def stamp(self, now_ns: int) -> bytes:
        """The payload of a marker sent now."""
        self._outstanding.append((now_ns, self._real()))
        return f"{self.token} {self.session} {now_ns}".encode("ascii")

    def returned(self, payload: bytes, received_ns: int) -> Watermark | None:
        """A marker read back: the watermark it sets, or None if it is not one of ours."""
        try:
            token, session, stamp = payload.decode("ascii").split(" ")
            sent_ns = int(stamp)
        except ValueError:
            return None
        outstanding = self._outstanding
        if token != self.token or session != str(self.session):
            return None
        if not any(sent == sent_ns for sent, _ in outstanding):
            return None
        lost = 0
        while outstanding[0][0] != sent_ns:
            outstanding.popleft()
            lost += 1
        _, sent_real = outstanding.popleft()
        self.lost += lost
        self.working = True
        self._heard_until = sent_ns
        delay_s = max(0.0, self._real() - sent_real)
        return Watermark(self.source, self.session, sent_ns, received_ns, delay_s, lost)

    def oldest_outstanding_ns(self) -> int | None:
        """The stamp of the oldest marker not yet back."""
        return self._outstanding[0][0] if self._outstanding else None

    def waiting_s(self) -> float:
        """How long the oldest marker not yet back has been out, in real seconds."""
        return self._real() - self._outstanding[0][1] if self._outstanding else 0.0

    def heard_until(self) -> int | None:
        """Every message the broker held at this time has been read; None while the markers
        are not known to work on this connection."""
        return self._heard_until if self.working else None


async def send_markers(
    ledger: WatermarkLedger,
    connector: MqttConnector,
    topic: str,
    clock: Clock,
    subscribed: asyncio.Event,
    log: logging.Logger,
    not_echoed_s: float = NOT_ECHOED_S,
    every_s: float = WATERMARK_EVERY_S,
) -> None:
    """Publish a marker every ``every_s`` (``marker_every_s``) while ``subscribed``, over a
    connection of its own; say once per connection when none has come back after
    ``not_echoed_s``.
    Runs until cancelled.

    Not over the subscriber's connection: the broker acknowledges a marker there only behind
    the backlog it measures, and a client with messages waiting for acknowledgement reads
    that many messages at a time, ahead of the pipeline, into the daemon's memory. While the
    marker connection is down the ledger is paused: no marker, no horizon."""
    backoff = Backoff(connector.broker.backoff.initial_s, connector.broker.backoff.max_s)
    failed_in = 0  # the subscriber's session in which the marker connection last failed
    while True:
        await subscribed.wait()
        session = ledger.session
        try:
            async with connector.client() as client:
                stop_if_cancelled()
                backoff.reset()
                watch = asyncio.create_task(_until_disconnected(client))
                try:
                    await _markers(
                        ledger, client, topic, clock, subscribed, log, not_echoed_s, every_s
                    )
                finally:
                    watch.cancel()
                    with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                        await watch
        except aiomqtt.MqttError as exc:
            stop_if_cancelled()
            if ledger.session == session:
                ledger.end_session()
                if failed_in != session:  # once per session: the retries say nothing new
                    failed_in = session
                    log.warning("MQTT %s: lag markers stopped: %s", connector.address, exc)
            await asyncio.sleep(backoff.next_delay())


async def _until_disconnected(client: aiomqtt.Client) -> None:
    # A client that only publishes never hears of its disconnection but through this: read
    # here, the reason is not left unread (and logged as such) when the client is dropped.
    async for _ in client.messages:
        pass


async def _markers(
    ledger: WatermarkLedger,
    client: aiomqtt.Client,
    topic: str,
    clock: Clock,
    subscribed: asyncio.Event,
    log: logging.Logger,
    not_echoed_s: float,
    every_s: float,
) -> None:
    """Markers for as long as the subscriber's session lasts."""
    session, since, said = ledger.session, time.monotonic(), False
    while subscribed.is_set() and ledger.session == session:
        await settled(client.publish(topic, ledger.stamp(clock.now_ns()), qos=1))
        started = time.monotonic()
        oldest = ledger.oldest_outstanding_ns()
        late = oldest is not None and oldest < clock.now_ns() - every_s * NS_PER_S
        if not late:
            await sleep_to_beat(every_s, clock)
        await asyncio.sleep(MIN_GAP_REAL_S - (time.monotonic() - started))
        if not (said or ledger.working) and time.monotonic() - since >= not_echoed_s:
            said = True
            log.warning(
                "MQTT: the broker did not echo the lag marker on %s within %g s: the lag is "
                "not measured, and silence is judged on the daemon's clock (the unit's "
                "account must be allowed to publish and subscribe that topic)",
                topic,
                not_echoed_s,
            )
