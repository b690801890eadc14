"""Stopping the Modbus poller: a cancellation lost inside pymodbus must not keep it polling.

pymodbus waits with ``asyncio.wait_for``, which on Python 3.11 returns the result (or raises
the operation's own error) when the cancellation arrives as the operation completes (CPython
gh-86296). The poller would then carry on with the rest of its poll: on a bus of slow units,
one read after another for many seconds, past the stop timeout. The fake client below loses
every cancellation that way, deterministically, during its connect or during a read.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import pytest

import drivers.modbus_client
from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from tests.simulator.frontends.modbus_fakes import make_settings, modbus_probe, tcp_bus

UNITS = 10  # one read each: a poll of 10 reads
READ_S = 0.3  # each read answered late
STOPPED_WITHIN_S = 0.25  # far less than the rest of a poll (up to 3 s)


@dataclass
class Registers:
    registers: list[int]


class LosingClient:
    """Loses the cancellation of a connect or a read the way wait_for does."""

    refuse = False  # a connect that fails as it is cancelled (wait_for raises its OSError)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.connected = False
        self.busy = asyncio.Event()
        self.reading = asyncio.Event()
        LosingClient.made.append(self)

    made: list[LosingClient] = []  # noqa: RUF012 - the clients the poller made, for the test

    async def connect(self) -> bool:
        self.busy.set()
        # The connection completed as the cancellation came: it returns, it does not raise.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.05)
        self.connected = not self.refuse
        return self.connected

    async def read_holding_registers(self, address: int, *, count: int, device_id: int) -> Any:
        self.reading.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(READ_S)
        return Registers([215] * count)

    def close(self) -> None:
        self.connected = False


@pytest.fixture
def poller(monkeypatch: pytest.MonkeyPatch) -> tuple[ModbusPoller, CollectingSink]:
    monkeypatch.setattr(drivers.modbus_client, "AsyncModbusTcpClient", LosingClient)
    monkeypatch.setattr(LosingClient, "made", [])
    probes = [modbus_probe(f"P{u}", "bus", u, 0, period_s=60.0) for u in range(1, UNITS + 1)]
    settings = make_settings([tcp_bus("bus", 1502, timeout_s=1.0)], probes)
    sink = CollectingSink()
    return ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink), sink


async def stopped_soon(task: asyncio.Task[None]) -> None:
    task.cancel()
    # asyncio.wait, not wait_for: a task that carries on must fail this test, not hang it.
    done, _ = await asyncio.wait({task}, timeout=STOPPED_WITHIN_S)
    if not done:
        await asyncio.wait({task}, timeout=10)  # the rest of its poll, not to leak it
        pytest.fail(f"the poller carried on for more than {STOPPED_WITHIN_S} s after it was "
                    "cancelled")  # fmt: skip
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def until_made() -> LosingClient:
    for _ in range(200):
        if LosingClient.made:
            return LosingClient.made[-1]
        await asyncio.sleep(0.005)
    raise AssertionError("the poller made no client")


@pytest.mark.parametrize("refuse", [False, True])
async def test_a_cancellation_lost_in_the_first_connect_stops_the_poller(
    poller: tuple[ModbusPoller, CollectingSink], monkeypatch: pytest.MonkeyPatch, refuse: bool
) -> None:
    monkeypatch.setattr(LosingClient, "refuse", refuse)
    polling, sink = poller
    task = asyncio.create_task(polling.run())
    client = await until_made()
    await asyncio.wait_for(client.busy.wait(), 2)
    await stopped_soon(task)
    # Stopping is no fault of the bus: no probe is called unavailable on the way out.
    assert not [c for c in sink.changes if not c.available]
    assert not client.connected


async def test_a_cancellation_lost_in_a_read_stops_the_poller(
    poller: tuple[ModbusPoller, CollectingSink],
) -> None:
    polling, _ = poller
    task = asyncio.create_task(polling.run())
    client = await until_made()
    await asyncio.wait_for(client.reading.wait(), 2)
    await stopped_soon(task)
    assert not client.connected
