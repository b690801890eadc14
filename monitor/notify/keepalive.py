"""The daily keep-alive: a test message on every channel at the configured local time.

A lab learns that its alarm path is broken from a missing morning message, not from a
freezer nobody was told about (ELPRO's keep-alive). The message goes to the keep-alive
list, or to whoever is on call at that moment, and each delivery is journaled as any other.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from config.notify_channels import KeepAliveSettings
from monitor.alarms import Notification, Priority
from monitor.notify.schedule import next_local

log = logging.getLogger(__name__)
NS = 1_000_000_000


def test_note(ts: int, site: str, device: str, why: str) -> Notification:
    """A test message: it names no alarm, and the router sends it to everyone on its path."""
    text = f"test message from {site}/{device} ({why}): the alarm path works"
    return Notification(ts, "test", (), Priority.LOW, text)


class KeepAlive:
    """Sends the daily test message; ``run`` until cancelled."""

    def __init__(
        self,
        settings: KeepAliveSettings,
        zone: ZoneInfo,
        now_ns: Callable[[], int],
        sleep: Callable[[float], Awaitable[None]],
        send: Callable[[Notification], object],
        site: str,
        device: str,
    ) -> None:
        self.settings, self.zone = settings, zone
        self.now_ns, self.sleep, self.send = now_ns, sleep, send
        self.site, self.device = site, device
        self.sent = 0

    async def run(self) -> None:
        while True:
            due = next_local(self.settings.at, self.now_ns(), self.zone)
            # Sleep in steps: a wall clock that steps, or a suspended Pi, must not push the
            # morning message a day away.
            while (left := due - self.now_ns()) > 0:
                await self.sleep(min(left / NS, 60.0))
            self.send(test_note(self.now_ns(), self.site, self.device, "daily keep-alive"))
            self.sent += 1
            log.info("keep-alive test message sent on every channel")
