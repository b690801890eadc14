"""Generated garbage on a real pseudo-terminal: never fatal, counted, good lines still read."""

import asyncio
import contextlib
import logging
import os
import time
import tty
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.settings import settings_from_mapping
from drivers.serial_line import SerialLineReader
from drivers.sink import CollectingSink
from monitor.clock import SystemClock

GOOD_VALUES = (61.25, 62.5, 63.75, 64.0, 65.5, 66.25)

garbage_lines = st.lists(
    st.binary(min_size=1, max_size=700).filter(lambda b: b"T1" not in b and b.strip(b"\r\n")),
    min_size=1,
    max_size=len(GOOD_VALUES) - 1,
)


async def _wait(check: Callable[[], bool], deadline: float) -> None:
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def _feed(device: Path, controller: int, garbage: list[bytes]) -> SerialLineReader:
    """Good lines with garbage between them, written to the pty the reader has opened."""
    settings = settings_from_mapping(
        {
            "serial": [
                {"id": "bench", "device": str(device), "backoff": {"initial_s": 0.05, "max_s": 0.1}}
            ],
            "probes": [
                {"id": "ref2", "source": {"kind": "serial", "line": "bench", "field": "T1"}}
            ],
        }
    )
    sink = CollectingSink()
    reader = SerialLineReader(
        settings.serial[0],
        settings.probes,
        sink,
        SystemClock(),
        logger=logging.getLogger("test.serial.garbage"),
    )
    task = asyncio.create_task(reader.run())
    try:
        deadline = time.monotonic() + 5
        await _wait(lambda: reader.counters.opens == 1, deadline)
        os.write(controller, b"\r\n")  # ends whatever the reader may take as a line's tail
        sent = GOOD_VALUES[: len(garbage) + 1]
        for value, noise in zip(sent, [*garbage, b""], strict=True):
            os.write(controller, noise + b"\r\n" + f"T1={value:.2f}\r\n".encode())
        await _wait(lambda: len(sink.readings) >= len(sent), deadline)
        assert [r.value for r in sink.readings] == list(sent), "good lines were lost"
        assert not task.done(), "the reader stopped"
        return reader
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _has_binary(data: bytes) -> bool:
    return any(byte not in b"\t\r\n" and not 0x20 <= byte <= 0x7E for byte in data)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(garbage=garbage_lines)
def test_generated_garbage_between_good_lines(tmp_path: Path, garbage: list[bytes]) -> None:
    device = tmp_path / "ttyGARBAGE"
    controller, terminal = os.openpty()
    tty.setraw(terminal)
    os.symlink(os.ttyname(terminal), device)
    loop = asyncio.new_event_loop()
    try:
        reader = loop.run_until_complete(_feed(device, controller, garbage))
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
        os.close(controller)
        os.close(terminal)
        device.unlink()
    if any(_has_binary(line) for line in garbage):
        assert reader.rejects.total() >= 1
