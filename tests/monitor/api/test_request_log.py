"""Malformed requests are logged as one warning line each, at a bounded rate."""

from __future__ import annotations

import asyncio
import logging
import random
import re

import pytest

from monitor.api.limits import HttpLimits
from tests.monitor.api.fakes import connect, read_answer, serving

MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET / HTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
    b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n",
    b"POST /api/lots HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST /api/lots HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
]


async def send_malformed(limits: HttpLimits, requests: list[bytes]) -> list[int]:
    statuses = []
    async with serving(limits=limits) as (server, _):
        for raw in requests:
            reader, writer = await connect(server)
            writer.write(raw)
            statuses.append((await read_answer(reader))[0])
            writer.close()
        # The count of what was not logged comes when the window ends, flood over or not.
        await asyncio.sleep(limits.log_window_s * 1.5)
    return statuses


def http_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("aiohttp", "monitor.api"))
            and r.levelno >= logging.WARNING]  # fmt: skip


@pytest.mark.usefixtures("http_parser")
async def test_each_malformed_request_is_one_warning_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limits = HttpLimits(log_lines=100, log_window_s=0.2)
    assert await send_malformed(limits, MALFORMED) == [400] * len(MALFORMED)
    records = http_records(caplog)
    assert len(records) == len(MALFORMED)
    for record in records:
        assert record.levelno == logging.WARNING
        assert record.exc_info is None
        message = record.getMessage()
        assert message.startswith("malformed HTTP request from 127.0.0.1: "), message
        assert "\n" not in message


@pytest.mark.usefixtures("http_parser")
async def test_a_flood_is_logged_up_to_the_limit_then_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flood = random.Random(7).choices(MALFORMED, k=60)
    limits = HttpLimits(log_lines=5, log_window_s=1.0)
    assert await send_malformed(limits, flood) == [400] * 60
    messages = [r.getMessage() for r in http_records(caplog)]
    told = [re.fullmatch(r"(\d+) more malformed HTTP requests in the last 1 s were not logged", m)
            for m in messages]  # fmt: skip
    counts = [int(match.group(1)) for match in told if match]
    lines = [m for m, match in zip(messages, told, strict=True) if not match]
    assert all(m.startswith("malformed HTTP request from 127.0.0.1: ") for m in lines)
    # Usually one window holds the whole flood: 5 lines, then "55 more"; a slow machine may
    # spread it over more windows, each with its 5 lines and its count.
    assert counts, messages
    assert len(lines) <= 5 * (len(counts) + 1)
    assert len(lines) + sum(counts) == 60
    assert messages[:6] == [*messages[:5], f"{counts[0]} more malformed HTTP requests in the "
                            "last 1 s were not logged"]  # fmt: skip
