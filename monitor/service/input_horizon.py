"""How far behind its inputs the pipeline is: the time up to which each is known read, and the lag.

Two places can hold what the daemon has not judged yet. The drivers' queue (``QueueSink``)
holds what was received and not processed: everything received before its oldest item has
been. The broker holds what the MQTT driver has not read: the driver's lag markers
(``drivers.mqtt_watermark``) come back through it in order, and once the pipeline has
processed a marker, it has processed every message the broker held when the marker was sent.
That send time is the MQTT probes' horizon; a probe's silence is judged only up to it
(docs/RULES.md, F9), so a backlog is never taken for silent devices. Markers that do not come
back on the current connection (no broker, an ACL refusing their topic) set no horizon, and
silence is judged on the daemon's clock, as for every other link.

The lag is the longest of: how long the oldest item has waited in the queue, how long the
last marker processed took to come back, how long the oldest marker not yet back has been
out. A lab that keeps up sees a few milliseconds. It is real time: on a clock running
``speed`` times faster (a simulation), a real hiccup of 50 ms is many simulated seconds and
says nothing of the machine, and a step of the wall clock (its first synchronisation) is
no lag at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from drivers.sink import Watermark
from monitor.clock import NS_PER_S


class LinkMarks(Protocol):
    """What a driver's marker ledger tells of its current connection."""

    @property
    def session(self) -> int: ...

    @property
    def working(self) -> bool: ...

    @property
    def lost(self) -> int: ...

    def waiting_s(self) -> float: ...


class Waiting(Protocol):
    """The drivers' queue, as far as lag goes."""

    def oldest_ts(self) -> int | None: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Heard:
    """The last marker the pipeline processed on a link: when it was sent, how long it took."""

    session: int
    sent_ns: int
    delay_s: float


class InputHorizon:
    """Horizons and lag of the pipeline's inputs; see the module docstring."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self.links: dict[str, LinkMarks] = {}
        self.queue: Waiting | None = None
        self._heard: dict[str, Heard] = {}

    def attach(self, source: str, marks: LinkMarks) -> None:
        self.links[source] = marks

    def watermark(self, mark: Watermark) -> int | None:
        """A marker processed: the new horizon of its link, or None (an old connection's)."""
        link = self.links.get(mark.source)
        if link is None or mark.session != link.session:
            return None
        self._heard[mark.source] = Heard(mark.session, mark.sent_ns, mark.delay_s)
        return mark.sent_ns

    def heard_until(self, source: str | None) -> int | None:
        """Every message of ``source`` is known processed up to this time; None: judge on
        the daemon's clock (a link without working markers, or a local one)."""
        if source is None:
            return None
        link = self.links.get(source)
        heard = self._heard.get(source)
        if link is None or heard is None or not link.working or heard.session != link.session:
            return None
        return heard.sent_ns

    def horizons(self) -> dict[str | None, int]:
        """For a tick: the horizon of each source that has one (None: the local links)."""
        oldest = self.queue.oldest_ts() if self.queue is not None else None
        out: dict[str | None, int] = {} if oldest is None else {None: oldest}
        for source in self.links:
            until = self.heard_until(source)
            if until is not None:
                out[source] = until if oldest is None else min(until, oldest)
            elif oldest is not None:
                out[source] = oldest
        return out

    def lag_s(self, now_ns: int) -> float:
        """The lag, in real seconds."""
        lag = 0.0
        oldest = self.queue.oldest_ts() if self.queue is not None else None
        if oldest is not None:
            lag = self._real_s(now_ns - oldest)
        for source, link in self.links.items():
            if not link.working:
                continue
            heard = self._heard.get(source)
            if heard is not None and heard.session == link.session:
                lag = max(lag, heard.delay_s)
            lag = max(lag, link.waiting_s())
        return max(0.0, lag)

    def _real_s(self, clock_ns: int) -> float:
        return clock_ns / NS_PER_S / self.speed

    def as_json(self, now_ns: int) -> dict[str, Any]:
        """What ``lactamon status`` shows of the inputs."""
        links: dict[str, Any] = {}
        for source, link in self.links.items():
            until = self.heard_until(source)
            links[source] = {
                "markers": "echoed" if link.working else "not echoed",
                "heard_until_ns": until,
                "behind_s": None if until is None else round(self._real_s(now_ns - until), 3),
                "lost_markers": link.lost,
            }
        queue = self.queue
        return {
            "lag_s": round(self.lag_s(now_ns), 3),
            "queued": 0 if queue is None else len(queue),
            "links": links,
        }
