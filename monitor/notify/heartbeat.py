"""The heartbeat: "I am alive" every few minutes, so an outside monitor notices a dead Pi.

Each beat is an HTTP request to the settings' ``url`` (a healthchecks-style ping: GET, or
POST with ``{"site", "device", "ts"}``) and, with ``mqtt`` on, a retained ``heartbeat``
message with the last-alive time. The outside monitor raises the alarm when beats stop, so a
failed beat is only logged (once per outage) and kept for the status page; the loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from yarl import URL

from config.notify_channels import HeartbeatSettings

log = logging.getLogger(__name__)

NS = 1_000_000_000
HEARTBEAT_TOPIC = "heartbeat"

Publish = Callable[[str, dict[str, Any], bool], None]


class Heartbeat:
    """Beats at once, then every ``every_min`` minutes, until cancelled (``run``)."""

    def __init__(
        self,
        settings: HeartbeatSettings,
        now_ns: Callable[[], int],
        publish: Publish | None = None,
        *,
        site: str = "",
        device: str = "",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.now_ns = now_ns
        self.publish = publish
        self.site, self.device = site, device
        self.beats = 0
        self.last_success_ns: int | None = None
        self.last_failure_ns: int | None = None
        self.last_error: str | None = None
        self._sleep = sleep
        self._failing = False
        # Made at the first request, inside the running loop, as aiohttp wants.
        self._session: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        """Whether a beat goes anywhere: a URL, or MQTT with a publisher."""
        return self.settings.url is not None or (self.settings.mqtt and self.publish is not None)

    async def run(self) -> None:
        """Beat now and every ``every_min`` until cancelled; the session is closed on the way."""
        try:
            while True:
                await self.beat()
                await self._sleep(self.settings.every_min * 60)
        finally:
            await self.close()

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def beat(self) -> bool:
        """One beat on every target; whether all of them took it (failures are recorded)."""
        if not self.active:
            return False
        ts = self.now_ns()
        errors: list[str] = []
        if self.settings.url is not None:
            error = await self._ping(self.settings.url, ts)
            if error is not None:
                errors.append(error)
        if self.settings.mqtt and self.publish is not None:
            error = self._publish(self.publish, ts)
            if error is not None:
                errors.append(error)
        self.beats += 1
        if errors:
            self._failed("; ".join(errors))
            return False
        self.last_success_ns = self.now_ns()
        if self._failing:
            self._failing = False
            log.info("heartbeat: going out again")
        return True

    async def _ping(self, url: str, ts: int) -> str | None:
        s = self.settings
        # The path of a ping URL is often its secret (healthchecks' UUID): logs name the host.
        where = f"{s.method} {URL(url).origin()}"
        try:
            session = self._session_now()
            if s.method == "POST":
                body = {"site": self.site, "device": self.device, "ts": ts}
                request = session.post(url, json=body)
            else:
                request = session.get(url)
            async with request as answer:
                await answer.read()
                if not 200 <= answer.status < 300:
                    return f"{where}: HTTP {answer.status} {answer.reason or ''}".strip()
        except TimeoutError:
            return f"{where}: no answer within {s.timeout_s:g} s"
        except aiohttp.ClientError as exc:
            return f"{where}: {str(exc) or type(exc).__name__}"
        except OSError as exc:
            return f"{where}: {exc.strerror or exc}"
        return None

    def _publish(self, publish: Publish, ts: int) -> str | None:
        # Whole seconds, then the microseconds cut from the nanoseconds: no float rounding.
        seconds, ns = divmod(ts, NS)
        time = datetime.fromtimestamp(seconds, UTC).replace(microsecond=ns // 1000).isoformat()
        payload = {"ts": ts, "time": time, "site": self.site, "device": self.device}
        try:
            # Retained: a monitor that subscribes later still reads when the unit was last alive.
            publish(HEARTBEAT_TOPIC, payload, True)
        except Exception as exc:  # the publisher's failure must not stop the heartbeat
            return f"MQTT {HEARTBEAT_TOPIC}: {type(exc).__name__}: {exc}"
        return None

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.settings.timeout_s)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    def _failed(self, error: str) -> None:
        self.last_failure_ns, self.last_error = self.now_ns(), error
        if not self._failing:
            self._failing = True
            every = self.settings.every_min
            log.warning("heartbeat failed: %s (trying again every %g min)", error, every)
