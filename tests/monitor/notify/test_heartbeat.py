"""The heartbeat against a real HTTP receiver: beats keep coming, a receiver that is down is
recorded and logged once while the beats go on, and the MQTT beat is retained."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from config.notify_channels import HeartbeatSettings
from monitor.notify.heartbeat import Heartbeat
from tests.fixtures.ports import free_port

EVERY_MIN = 0.001  # 60 ms between beats


class Receiver:
    """What an outside monitor (healthchecks-style) received."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.hits: list[tuple[str, str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.hits.append((request.method, request.path, body))
        return web.Response(status=self.status, text="OK")


@contextlib.asynccontextmanager
async def receiving(receiver: Receiver, port: int) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/ping/3f2a"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def beating(heartbeat: Heartbeat) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(heartbeat.run(), name="heartbeat")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(check: Callable[[], bool], what: str, timeout_s: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(0.01)


def heartbeat(
    publish: Callable[[str, dict[str, Any], bool], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    **changes: Any,
) -> Heartbeat:
    settings = HeartbeatSettings(**({"every_min": EVERY_MIN, "timeout_s": 2.0} | changes))
    return Heartbeat(settings, time.time_ns, publish, site="lab", device="pi-1", sleep=sleep)


async def test_get_beats_at_once_and_then_every_period() -> None:
    receiver = Receiver()
    async with receiving(receiver, free_port()) as url:
        beat = heartbeat(url=url)
        start = time.time_ns()
        async with beating(beat) as task:
            await eventually(lambda: len(receiver.hits) >= 1, "the first beat")
            await eventually(lambda: len(receiver.hits) >= 2, "a second beat")
            assert not task.done()
        assert set(receiver.hits) == {("GET", "/ping/3f2a", None)}
        assert beat.last_success_ns is not None
        assert beat.last_success_ns >= start
        assert (beat.last_failure_ns, beat.last_error) == (None, None)
        assert beat._session is None  # run closed its session on the way out


async def test_post_carries_site_device_and_time() -> None:
    receiver = Receiver()
    async with receiving(receiver, free_port()) as url:
        beat = heartbeat(url=url, method="POST")
        before = time.time_ns()
        assert await beat.beat() is True
        await beat.close()
    [(method, path, body)] = receiver.hits
    assert (method, path) == ("POST", "/ping/3f2a")
    assert set(body) == {"site", "device", "ts"}
    assert (body["site"], body["device"]) == ("lab", "pi-1")
    assert before <= body["ts"] <= time.time_ns()


async def test_a_receiver_down_is_recorded_once_and_the_beats_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.notify.heartbeat")
    port = free_port()
    url = f"http://127.0.0.1:{port}/ping/3f2a"
    beat = heartbeat(url=url)
    async with beating(beat) as task:
        await eventually(lambda: beat.beats >= 3, "three failed beats")
        assert not task.done()  # a failed beat does not stop the monitoring
        assert beat.last_failure_ns is not None
        assert beat.last_success_ns is None
        assert beat.last_error is not None
        assert beat.last_error.startswith(f"GET http://127.0.0.1:{port}: Cannot connect to host")
        assert "/ping/3f2a" not in beat.last_error  # the ping URL's secret path stays out
        receiver = Receiver()
        async with receiving(receiver, port):
            await eventually(lambda: beat.last_success_ns is not None, "a beat taken again")
    records = [(r.levelname, r.getMessage()) for r in caplog.records]
    warnings = [m for level, m in records if level == "WARNING"]
    assert len(warnings) == 1, records
    assert warnings[0].startswith(f"heartbeat failed: GET http://127.0.0.1:{port}: Cannot")
    assert [m for level, m in records if level == "INFO"] == ["heartbeat: going out again"]


async def test_an_error_status_is_a_failed_beat() -> None:
    receiver, port = Receiver(status=503), free_port()
    async with receiving(receiver, port) as url:
        beat = heartbeat(url=url)
        assert await beat.beat() is False
        await beat.close()
    assert beat.last_error == f"GET http://127.0.0.1:{port}: HTTP 503 Service Unavailable"
    assert beat.last_failure_ns is not None


async def test_the_mqtt_beat_is_retained_with_the_last_alive_time() -> None:
    published: list[tuple[str, dict[str, Any], bool]] = []

    def publish(topic: str, payload: dict[str, Any], retain: bool) -> None:
        published.append((topic, payload, retain))

    beat = heartbeat(publish, mqtt=True)
    async with beating(beat):
        await eventually(lambda: len(published) >= 2, "two MQTT beats")
    topic, payload, retain = published[0]
    assert (topic, retain) == ("heartbeat", True)
    assert set(payload) == {"ts", "time", "site", "device"}
    assert (payload["site"], payload["device"]) == ("lab", "pi-1")
    seconds, ns = divmod(payload["ts"], 1_000_000_000)
    when = datetime.fromtimestamp(seconds, UTC).replace(microsecond=ns // 1000)
    assert payload["time"] == when.isoformat()
    assert beat.last_success_ns is not None


async def test_both_targets_and_a_publisher_that_fails() -> None:
    sleeps: list[float] = []

    async def quick(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0)

    def broken(topic: str, payload: dict[str, Any], retain: bool) -> None:
        raise RuntimeError("the publisher's queue is gone")

    receiver = Receiver()
    async with receiving(receiver, free_port()) as url:
        beat = heartbeat(broken, quick, url=url, mqtt=True, every_min=5.0)
        async with beating(beat) as task:
            await eventually(lambda: len(receiver.hits) >= 3, "beats over HTTP")
            assert not task.done()
    assert sleeps[0] == 300.0  # every_min in seconds, through the injected sleep
    assert beat.last_success_ns is None
    assert beat.last_error == "MQTT heartbeat: RuntimeError: the publisher's queue is gone"


async def test_without_mqtt_the_publisher_is_not_used() -> None:
    published: list[str] = []
    beat = heartbeat(lambda topic, payload, retain: published.append(topic))
    assert beat.active is False
    assert await beat.beat() is False
    assert published == []
