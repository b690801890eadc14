"""SIGTERM stops the daemon cleanly and soon, whenever it comes and whatever the devices do.

The daemon runs as a process of its own (``daemon_process``) and is stopped at moments from
its first instant (its API just answered, the Modbus poller's first connect under way) to a
second in, while its Modbus unit is unreachable (nothing listens on the port) or
answers late, some answers landing just as the client times out. Each stop must end the
process within ``STOP_S`` with exit code 0 and a journal closed cleanly; the next start on
the same journal then finds no unclean stop to record.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from config.links import ModbusTcpBus
from monitor.clock import ScaledClock
from monitor.journal import JournalReader, keygen
from monitor.journal.session import SessionState
from monitor.journal.streams import DEVICE_STREAM
from tests.fixtures.ports import free_port
from tests.monitor.service.daemon_process import Daemons
from tests.monitor.service.kill_runs import daemons_in, serving
from tests.monitor.service.slow_modbus import slow_modbus

STOP_S = 20.0
# After the API first answers: at once (the poller's first connect under way), within the
# first 0.2 s, and once polls are under way.
MOMENTS_S = (0.0, 0.1, 1.0)
ROUNDS = 5  # each moment, per device condition; the journal is shared by the rounds
# The bus's timeout is 0.5 s: answers after 0.45-0.55 s land around it.
LATE_S = (0.45, 0.5, 0.48, 0.55, 0.52, 0.1)


def lab(folder: Path) -> Daemons:
    """Settings with a closed MQTT port and one Modbus unit, polled every real second."""
    daemons = daemons_in(folder, free_port(), ScaledClock(10.0))
    keygen(daemons.settings.signing.key_file)
    return daemons


@contextlib.asynccontextmanager
async def device(condition: str, daemons: Daemons) -> AsyncIterator[None]:
    (bus,) = daemons.settings.modbus
    assert isinstance(bus, ModbusTcpBus)
    if condition == "late":
        async with slow_modbus(bus.port, LATE_S):
            yield
    else:
        yield  # nothing listens on the port


async def stopped_within(process: subprocess.Popen[bytes], limit_s: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        if process.poll() is not None:
            return time.monotonic() - start
        await asyncio.sleep(0.02)
    return None


def closings(journal: Path) -> tuple[SessionState, int]:
    with JournalReader(journal) as reader:
        closed = reader.records_of_kind("journal_closed", DEVICE_STREAM)
        unclean = reader.records_of_kind("unclean_restart", DEVICE_STREAM)
        assert not unclean, f"an unclean stop was recorded: {unclean}"
        return reader.session().state, len(closed)


@pytest.mark.parametrize("condition", ["unreachable", "late"])
async def test_sigterm_stops_the_daemon_soon_and_cleanly(tmp_path: Path, condition: str) -> None:
    daemons = lab(tmp_path)
    journal = daemons.settings.journal.path
    try:
        async with device(condition, daemons):
            for n, moment in enumerate(MOMENTS_S * ROUNDS, start=1):
                process = daemons.start()
                await serving(daemons, process, 30)
                await asyncio.sleep(moment)
                process.terminate()
                took = await stopped_within(process, STOP_S)
                assert took is not None, (
                    f"stop {n} (SIGTERM {moment} s after the API answered) did not end the "
                    f"process within {STOP_S} s\n{daemons.log_tail()}"
                )
                assert process.returncode == 0, daemons.log_tail()
                state, closed = await asyncio.to_thread(closings, journal)
                assert (state, closed) == (SessionState.CLEAN, n), daemons.log_tail()
    finally:
        daemons.stop_all()


async def test_sigterm_while_the_journal_is_opened_and_replayed_closes_it_cleanly(
    tmp_path: Path,
) -> None:
    daemons = lab(tmp_path)
    journal = daemons.settings.journal.path
    try:
        # A first run gives the journal something to replay at the next start.
        process = daemons.start()
        await serving(daemons, process, 30)
        process.terminate()
        assert await stopped_within(process, STOP_S) is not None
        wal = journal.with_name(journal.name + "-wal")
        before = wal.stat().st_mtime_ns if wal.exists() else 0
        process = daemons.start()
        # The moment the journal is written again (its session opened, the replay next),
        # before the API serves.
        for _ in range(20_000):
            if process.poll() is not None or (wal.exists() and wal.stat().st_mtime_ns != before):
                break
            await asyncio.sleep(0.0005)
        process.terminate()
        took = await stopped_within(process, STOP_S)
        assert took is not None, daemons.log_tail()
        assert process.returncode == 0, daemons.log_tail()
        state, closed = await asyncio.to_thread(closings, journal)
        assert (state, closed) == (SessionState.CLEAN, 2), daemons.log_tail()
    finally:
        daemons.stop_all()
