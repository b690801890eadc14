"""Bodies the JSON parser must refuse with a 400 before they can hurt it: nesting, slowness."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest

from monitor.api.body import MAX_DEPTH, nesting_depth
from monitor.api.limits import HttpLimits
from tests.monitor.api.fakes import connect, read_answer, serving

ACK = "/api/alarms/band:F1/ack"


async def post_raw(url: str, raw: bytes) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, data=raw) as response:
        return response.status, (await response.json())["error"]


@pytest.mark.parametrize(
    "raw",
    [b"[" * 5000, b"{" * 5000, b'{"a":' * 5000, b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)],
    ids=["lists", "braces", "objects", "one-too-deep"],
)
async def test_deep_nesting_is_a_400_naming_the_depth(
    raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving() as (server, fake):
        status, error = await post_raw(server.url + ACK, raw)
    assert (status, error) == (400, f"malformed JSON: nested deeper than {MAX_DEPTH} levels")
    assert fake.acks == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_nesting_at_the_limit_reaches_validation() -> None:
    deep = b'{"user": "anne", "password": "pw", "comment": ' + b"[" * (MAX_DEPTH - 1)
    deep += b"]" * (MAX_DEPTH - 1) + b"}"
    async with serving() as (server, _):
        status, error = await post_raw(server.url + ACK, deep)
    assert (status, error) == (400, "comment: Input should be a valid string")


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"", 0),
        (b'"[[[["', 0),
        (b'{"a": "\\"[[[", "b": [1, {"c": []}]}', 4),
        (b'["\\\\", [["]"]]]', 3),
        (b"]]]][[", 2),
    ],
)
def test_depth_ignores_brackets_inside_strings(raw: bytes, depth: int) -> None:
    assert nesting_depth(raw) == depth


@pytest.mark.usefixtures("http_parser")
async def test_a_body_that_stops_coming_is_a_408() -> None:
    async with serving(limits=HttpLimits(body_s=0.3)) as (server, fake):
        reader, writer = await connect(server)
        writer.write(f"POST {ACK} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode())
        status, body = await read_answer(reader)
        # The rest of the body is waited for no longer than the body was: then it is closed.
        assert await asyncio.wait_for(reader.read(), timeout=3) == b""
        writer.close()
    assert (status, json.loads(body)) == (408, {"error": "request body not received within 0.3 s"})
    assert fake.acks == []


@pytest.mark.parametrize(
    "sent",
    [
        f"POST {ACK} HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n".encode() + b'{"user"',
        f"POST {ACK} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        + b'5\r\n{"use',
    ],
    ids=["length", "chunked"],
)
@pytest.mark.usefixtures("http_parser")
async def test_a_client_gone_mid_body_is_no_failure_of_the_daemon(
    sent: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving() as (server, fake):
        reader, writer = await connect(server)
        writer.write(sent)
        await writer.drain()
        await asyncio.sleep(0.1)  # the handler is reading the body now
        writer.write_eof()
        assert await asyncio.wait_for(reader.read(), timeout=3) == b""
        writer.close()
    assert fake.acks == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


@pytest.mark.usefixtures("http_parser")
async def test_a_broken_chunk_is_refused_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with serving(limits=HttpLimits(body_s=0.5)) as (server, fake):
        reader, writer = await connect(server)
        writer.write(f"POST {ACK} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\n{\"use\r\n".encode())  # fmt: skip
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.write(b"zz\r\n")
        status, _ = await read_answer(reader)
        writer.close()
    # The Python parser fails the body at once; llhttp stops feeding it, so the body's time
    # runs out.
    assert status in (400, 408)
    assert fake.acks == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
