"""The dispatcher: a queue per channel, retries with backoff, every attempt on record.

``notify`` never blocks and never fails: it puts the message in each channel's queue, so a
slow or dead channel delays nothing else, neither the pipeline nor the other channels.
Each channel's worker delivers its messages in order; every attempt is a record of the
``alarms`` stream (``notification_delivered`` or ``notification_failed``, with the channel,
the attempt number, the idempotency key and the receiver's answer), so the journal proves
who was told what, and when.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.alarms import Notification
from monitor.journal import Journal
from monitor.journal.streams import ALARM_STREAM
from monitor.notify.channel import Channel, DeliveryFailed, Message, message_of

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ChannelStats:
    """What ``status`` shows of a channel."""

    delivered: int = 0
    failed_attempts: int = 0
    last_success_ns: int | None = None
    last_failure_ns: int | None = None
    last_error: str = ""
    queued: int = 0
    dropped: int = 0


class Dispatcher:
    """Delivers notifications on every channel; ``run`` one worker per channel."""

    def __init__(
        self,
        channels: Sequence[Channel],
        journal: Journal,
        now_ns: Callable[[], int],
        device: str,
        *,
        timeout_s: float = 10.0,
        retry_initial_s: float = 5.0,
        retry_max_s: float = 300.0,
        max_attempts: int = 20,
        max_queued: int = 1000,
    ) -> None:
        self.channels = {c.name: c for c in channels}
        self.journal = journal
        self.now_ns = now_ns
        self.device = device
        self.timeout_s = timeout_s
        self.retry_initial_s, self.retry_max_s = retry_initial_s, retry_max_s
        self.max_attempts = max_attempts
        self.stats = {name: ChannelStats() for name in self.channels}
        self._queues: dict[str, deque[Message]] = {n: deque() for n in self.channels}
        self._max_queued = max_queued
        self._wake = {name: asyncio.Event() for name in self.channels}
        self.recent: deque[Notification] = deque(maxlen=1000)

    def notify(self, note: Notification) -> None:
        self.recent.append(note)
        message = message_of(note, self.device)
        for name, queue in self._queues.items():
            if len(queue) >= self._max_queued:
                dropped = queue.popleft()
                self.stats[name].dropped += 1
                self._journal(name, dropped, 0, False, "dropped: the channel's queue is full")
            queue.append(message)
            self.stats[name].queued = len(queue)
            self._wake[name].set()

    def status(self) -> dict[str, dict[str, object]]:
        return {
            name: {
                "delivered": s.delivered,
                "failed_attempts": s.failed_attempts,
                "last_success_ns": s.last_success_ns,
                "last_failure_ns": s.last_failure_ns,
                "last_error": s.last_error,
                "queued": len(self._queues[name]),
                "dropped": s.dropped,
            }
            for name, s in self.stats.items()
        }

    async def run_channel(self, name: str) -> None:
        """Deliver ``name``'s queue until cancelled."""
        queue, wake = self._queues[name], self._wake[name]
        while True:
            while queue:
                await self._deliver(name, queue[0])
                queue.popleft()
                self.stats[name].queued = len(queue)
            wake.clear()
            await wake.wait()

    async def _deliver(self, name: str, message: Message) -> None:
        channel, stats = self.channels[name], self.stats[name]
        delay = self.retry_initial_s
        for attempt in range(1, self.max_attempts + 1):
            try:
                answer = await asyncio.wait_for(channel.deliver(message), self.timeout_s)
            except TimeoutError:
                error = f"timed out after {self.timeout_s:g} s"
            except DeliveryFailed as exc:
                error = str(exc) or "refused"
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                stats.delivered += 1
                stats.last_success_ns = self.now_ns()
                self._journal(name, message, attempt, True, answer)
                return
            stats.failed_attempts += 1
            stats.last_failure_ns, stats.last_error = self.now_ns(), error
            self._journal(name, message, attempt, False, error)
            if attempt == 1:
                log.warning("notification on %s failed: %s (retrying)", name, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_max_s)
        log.error("notification on %s given up after %d attempts", name, self.max_attempts)

    def _journal(self, name: str, message: Message, attempt: int, ok: bool, answer: str) -> None:
        note = message.note
        fields: dict[str, str | int | bool] = {
            "channel": name,
            "alarms": ",".join(note.alarms),
            "reason": note.reason,
            "idempotency_key": message.key,
            "attempt": attempt,
            "delivered": ok,
            "answer": answer[:500],
        }
        kind = "notification_delivered" if ok else "notification_failed"
        self.journal.append_event(ALARM_STREAM, kind, fields, ts=self.now_ns())


__all__ = ["DeliveryFailed", "Dispatcher"]
