"""Connections that send nothing, or half a request, are closed within the idle timeout."""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp
import pytest

from monitor.api.limits import HttpLimits
from tests.monitor.api.fakes import connect, read_answer, serving

IDLE_S = 0.5
# The event loop and two busy cores: room for the timer to fire late, well short of the
# default timeouts a broken setting would leave.
SLACK_S = 3.0


async def closed_after(reader: asyncio.StreamReader) -> float:
    """Seconds until the server closes the connection (EOF), reading what it sends."""
    start = time.monotonic()
    async with asyncio.timeout(IDLE_S + SLACK_S):
        while await reader.read(4096):
            pass
    return time.monotonic() - start


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /api/health HTTP/1.1\r\nHost: x\r\n", b"GET /api/he"],
    ids=["nothing", "half-a-head", "half-a-line"],
)
@pytest.mark.usefixtures("http_parser")
async def test_silent_or_half_sent_connection_is_closed(sent: bytes) -> None:
    async with serving(limits=HttpLimits(idle_s=IDLE_S)) as (server, _):
        reader, writer = await connect(server)
        writer.write(sent)
        await writer.drain()
        waited = await closed_after(reader)
        writer.close()
    assert IDLE_S * 0.8 <= waited < IDLE_S + SLACK_S


@pytest.mark.usefixtures("http_parser")
async def test_head_sent_a_byte_at_a_time_gains_no_time() -> None:
    head = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n"
    async with serving(limits=HttpLimits(idle_s=IDLE_S)) as (server, _):
        reader, writer = await connect(server)

        async def drip() -> None:  # 7 s for the whole head, at a byte every 50 ms
            for byte in head:
                writer.write(bytes([byte]))
                await asyncio.sleep(0.05)

        dripping = asyncio.create_task(drip())
        try:
            waited = await closed_after(reader)
        finally:
            dripping.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await dripping
        writer.close()
    assert IDLE_S * 0.8 <= waited < IDLE_S + SLACK_S


async def test_idle_keep_alive_connection_is_closed_after_an_answer() -> None:
    async with serving(limits=HttpLimits(idle_s=IDLE_S)) as (server, _):
        reader, writer = await connect(server)
        writer.write(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert await read_answer(reader) == (200, b'{"ok": true}')
        waited = await closed_after(reader)
        writer.close()
    assert IDLE_S * 0.8 <= waited < IDLE_S + SLACK_S


async def test_a_client_that_keeps_asking_is_served() -> None:
    async with serving(limits=HttpLimits(idle_s=IDLE_S)) as (server, _):
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            for _ in range(4):
                async with session.get(server.url + "/api/health") as response:
                    assert response.status == 200
                await asyncio.sleep(IDLE_S / 4)


def test_default_limits_are_short() -> None:
    limits = HttpLimits()
    assert 0 < limits.idle_s <= 30
    assert 0 < limits.body_s <= 30
