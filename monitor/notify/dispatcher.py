"""The dispatcher: a queue per channel, retries with backoff, every attempt on record.

``notify`` never blocks and never fails: it asks the router who is told on which channel and
puts each delivery in its channel's queue, so a slow or dead channel delays nothing else,
neither the pipeline nor the other channels. A delivery that must wait for working hours is
held until then. Each channel's worker delivers its queue in order; every attempt is a
record of the ``alarms`` stream (``notification_delivered`` or ``notification_failed``, with
the channel, the person, the attempt number, the idempotency key, the result and the
receiver's answer), so the journal proves who was told what, and when. A channel that
keeps failing says so through ``on_health`` (the daemon raises ``notify:<channel>``).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from monitor.alarms import Notification
from monitor.journal import Journal
from monitor.journal.streams import ALARM_STREAM
from monitor.notify.channel import Channel, Delivery, DeliveryFailed, delivery_of
from monitor.notify.message import AlarmFacts, Place, message_of
from monitor.notify.routing import Route, Router

log = logging.getLogger(__name__)
Describe = Callable[[Notification], tuple[AlarmFacts, ...]]
Health = Callable[[str, bool, str], None]


@dataclass(slots=True)
class ChannelStats:
    """What ``status`` shows of a channel."""

    delivered: int = 0
    failed_attempts: int = 0
    failing_in_a_row: int = 0
    last_success_ns: int | None = None
    last_failure_ns: int | None = None
    last_error: str = ""
    dropped: int = 0


class Dispatcher:
    """Delivers notifications on every channel; ``run_channel`` one worker per channel."""

    def __init__(
        self,
        channels: Sequence[Channel],
        journal: Journal,
        now_ns: Callable[[], int],
        place: Place,
        router: Router | None = None,
        *,
        describe: Describe | None = None,
        on_health: Health | None = None,
        failures_before_alarm: int = 3,
        timeout_s: float = 30.0,
        retry_initial_s: float = 5.0,
        retry_max_s: float = 300.0,
        max_attempts: int = 20,
        max_queued: int = 1000,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.channels = {c.name: c for c in channels}
        self.journal = journal
        self.now_ns = now_ns
        self.place = place
        self.router = router
        self.describe = describe or (lambda note: ())
        self.on_health = on_health
        self.failures_before_alarm = failures_before_alarm
        self.timeout_s = timeout_s
        self.retry_initial_s, self.retry_max_s = retry_initial_s, retry_max_s
        self.max_attempts = max_attempts
        self.sleep = sleep
        self.stats = {name: ChannelStats() for name in self.channels}
        self._queues: dict[str, deque[Delivery]] = {n: deque() for n in self.channels}
        self._max_queued = max_queued
        self._wake = {name: asyncio.Event() for name in self.channels}
        self._held: list[tuple[int, int, Delivery]] = []
        self._held_count = 0
        self.recent: deque[Notification] = deque(maxlen=1000)

    def notify(self, note: Notification, only: str = "", to: str = "") -> list[Delivery]:
        """Queue the deliveries of ``note``; returns them (``only``/``to`` for a test)."""
        self.recent.append(note)
        message = message_of(note, self.place, self.describe(note))
        if self.router is not None:
            routes = self.router.route(message, only, to)
        else:
            routes = [Route(name, None) for name in self.channels]
        now = self.now_ns()
        made = []
        for route in routes:
            if route.channel not in self.channels:
                continue
            delivery = delivery_of(message, route.channel, route.to)
            made.append(delivery)
            if route.not_before_ns > now:
                self._held_count += 1
                heapq.heappush(self._held, (route.not_before_ns, self._held_count, delivery))
            else:
                self._enqueue(delivery)
        return made

    def release_held(self) -> int:
        """Queue the held deliveries whose time has come; returns how many."""
        now, released = self.now_ns(), 0
        while self._held and self._held[0][0] <= now:
            self._enqueue(heapq.heappop(self._held)[2])
            released += 1
        return released

    async def run_held(self, period_s: float = 10.0) -> None:
        """Release held deliveries as their time comes, until cancelled."""
        while True:
            self.release_held()
            await self.sleep(period_s)

    def status(self) -> dict[str, dict[str, object]]:
        return {
            name: {
                "delivered": s.delivered,
                "failed_attempts": s.failed_attempts,
                "failing_in_a_row": s.failing_in_a_row,
                "last_success_ns": s.last_success_ns,
                "last_failure_ns": s.last_failure_ns,
                "last_error": s.last_error,
                "queued": len(self._queues[name]),
                "held": sum(1 for _, _, d in self._held if d.channel == name),
                "dropped": s.dropped,
            }
            for name, s in self.stats.items()
        }

    async def run_channel(self, name: str) -> None:
        """Deliver ``name``'s queue until cancelled."""
        queue, wake = self._queues[name], self._wake[name]
        while True:
            while queue:
                await self._deliver(queue[0])
                queue.popleft()
            wake.clear()
            await wake.wait()

    def _enqueue(self, delivery: Delivery) -> None:
        name = delivery.channel
        queue = self._queues[name]
        if len(queue) >= self._max_queued:
            # The oldest waiting one goes (never the one being delivered, at the head).
            dropped = queue[1] if len(queue) > 1 else queue[0]
            queue.remove(dropped)
            self.stats[name].dropped += 1
            self._journal(dropped, 0, "dropped", "the channel's queue is full")
        queue.append(delivery)
        self._wake[name].set()

    async def _deliver(self, delivery: Delivery) -> None:
        name = delivery.channel
        channel, stats = self.channels[name], self.stats[name]
        delay = self.retry_initial_s
        for attempt in range(1, self.max_attempts + 1):
            result = "refused"
            try:
                answer = await asyncio.wait_for(channel.deliver(delivery), self.timeout_s)
            except TimeoutError:
                error, result = f"timed out after {self.timeout_s:g} s", "timed_out"
            except DeliveryFailed as exc:
                error, result = str(exc) or "refused", exc.result
            except OSError as exc:
                error, result = f"{type(exc).__name__}: {exc}", "unreachable"
            except Exception as exc:  # a channel's own fault must not stop its queue
                log.exception("notification on %s: unexpected error", name)
                error = f"unexpected {type(exc).__name__}: {exc}"
            else:
                self._succeeded(name, stats)
                self._journal(delivery, attempt, "delivered", answer)
                return
            self._failed(name, stats, error)
            self._journal(delivery, attempt, result, error)
            if attempt == 1:
                log.warning("notification on %s failed: %s (retrying)", name, error)
            await self.sleep(delay)
            delay = min(delay * 2, self.retry_max_s)
        log.error("notification on %s given up after %d attempts", name, self.max_attempts)
        self._journal(delivery, self.max_attempts, "given_up", stats.last_error)

    def _succeeded(self, name: str, stats: ChannelStats) -> None:
        was_failing = stats.failing_in_a_row >= self.failures_before_alarm
        stats.delivered += 1
        stats.failing_in_a_row = 0
        stats.last_success_ns = self.now_ns()
        if was_failing and self.on_health is not None:
            self.on_health(name, False, f"notifications on {name} delivered again")

    def _failed(self, name: str, stats: ChannelStats, error: str) -> None:
        stats.failed_attempts += 1
        stats.failing_in_a_row += 1
        stats.last_failure_ns, stats.last_error = self.now_ns(), error
        if stats.failing_in_a_row == self.failures_before_alarm and self.on_health is not None:
            text = f"notifications on {name} failing ({stats.failing_in_a_row} in a row): {error}"
            self.on_health(name, True, text)

    def _journal(self, delivery: Delivery, attempt: int, result: str, answer: str) -> None:
        note = delivery.message.note
        fields: dict[str, str | int | bool] = {
            "channel": delivery.channel,
            "recipient": delivery.recipient_id,
            "alarms": ",".join(note.alarms),
            "reason": note.reason,
            "idempotency_key": delivery.key,
            "attempt": attempt,
            "delivered": result == "delivered",
            "result": result,
            "answer": answer[:500],
        }
        kind = "notification_delivered" if result == "delivered" else "notification_failed"
        self.journal.append_event(ALARM_STREAM, kind, fields, ts=self.now_ns())


__all__ = ["ChannelStats", "DeliveryFailed", "Dispatcher"]
