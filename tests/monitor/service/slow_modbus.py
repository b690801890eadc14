"""A Modbus TCP unit that answers register reads late, some just before the client gives up.

Each read of holding or input registers is answered with zeros after a delay drawn from
``delays_s`` in turn: with delays around the client's timeout, answers land as it times out,
which is when a cancellation and a completed read can arrive together.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import struct
from collections.abc import AsyncIterator, Sequence

READS = {3, 4}  # read holding registers, read input registers


async def _answer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delays: itertools.cycle[float]
) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while True:
            head = await reader.readexactly(7)
            tid, _, length, unit = struct.unpack(">HHHB", head)
            pdu = await reader.readexactly(length - 1)
            await asyncio.sleep(next(delays))
            if pdu[0] in READS:
                count = struct.unpack(">H", pdu[3:5])[0]
                body = bytes([pdu[0], 2 * count]) + bytes(2 * count)
            else:
                body = bytes([pdu[0] | 0x80, 1])  # illegal function
            writer.write(struct.pack(">HHHB", tid, 0, len(body) + 1, unit) + body)
            await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def slow_modbus(port: int, delays_s: Sequence[float]) -> AsyncIterator[None]:
    """Serve on 127.0.0.1:``port`` until the block ends."""
    delays = itertools.cycle(delays_s)
    answering: set[asyncio.Task[None]] = set()

    def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(_answer(reader, writer, delays))
        answering.add(task)
        task.add_done_callback(answering.discard)

    server = await asyncio.start_server(connected, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()
        for task in list(answering):
            task.cancel()
        await asyncio.gather(*answering, return_exceptions=True)
        await server.wait_closed()
