"""The relay channel against pymodbus's own server: the buzzer follows the alarms, the refresh
brings back a module that restarted, and an unreachable module is a failed delivery."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from pymodbus.server import ModbusTcpServer

from config.notify_channels import RelaySettings
from monitor.alarms.model import Alarm, AlarmState, Priority
from monitor.notify import DeliveryFailed
from monitor.notify.relay import RelayChannel, priority_of, relay_wanted
from tests.fixtures.ports import free_port
from tests.fixtures.relay_module import coil, register, relay_module
from tests.monitor.notify.samples import delivery


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], what: str, timeout_s: float = 5.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not await holds(check):
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(0.01)


async def holds(check: Callable[[], bool | Awaitable[bool]]) -> bool:
    result = check()
    return await result if inspect.isawaitable(result) else result


class Wanted:
    """The daemon's ``wanted()``, set by hand."""

    def __init__(self, on: bool = False) -> None:
        self.on = on

    def __call__(self) -> bool:
        return self.on


def settings(port: int, **changes: Any) -> RelaySettings:
    return RelaySettings(**({"port": port, "timeout_s": 1.0} | changes))


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
async def module(port: int) -> AsyncIterator[ModbusTcpServer]:
    async with relay_module(port) as server:
        yield server


@pytest.fixture
def wanted() -> Wanted:
    return Wanted()


@contextlib.asynccontextmanager
async def channel_of(relay: RelaySettings, wanted: Wanted) -> AsyncIterator[RelayChannel]:
    channel = RelayChannel(relay, wanted)
    try:
        yield channel
    finally:
        await channel.close()


@contextlib.asynccontextmanager
async def refreshing(channel: RelayChannel) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(channel.run(), name="relay refresh")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_coil_is_on_while_an_alarm_waits_and_off_once_acknowledged(
    module: ModbusTcpServer, port: int, wanted: Wanted
) -> None:
    async with channel_of(settings(port), wanted) as relay:
        assert (relay.name, relay.per_person, relay.state) == ("relay", False, None)
        wanted.on = True
        assert await relay.deliver(delivery("relay", None)) == "coil 0 on"
        assert await coil(module) is True
        assert relay.state is True
        # The acknowledgement's own notification: nothing else waits, so the buzzer stops.
        wanted.on = False
        assert await relay.deliver(delivery("relay", None, "acknowledged")) == "coil 0 off"
        assert await coil(module) is False
        assert relay.state is False


async def test_the_relay_follows_the_alarms_not_the_message(
    module: ModbusTcpServer, port: int, wanted: Wanted
) -> None:
    wanted.on = True  # another alarm still waits when this one is acknowledged
    async with channel_of(settings(port, address=5), wanted) as relay:
        assert await relay.deliver(delivery("relay", None, "acknowledged")) == "coil 5 on"
        assert await coil(module, 5) is True
        assert await coil(module, 0) is False


async def test_a_register_takes_the_on_and_off_values(
    module: ModbusTcpServer, port: int, wanted: Wanted
) -> None:
    relay_settings = settings(port, table="register", address=3, on_value=7, off_value=2)
    async with channel_of(relay_settings, wanted) as relay:
        wanted.on = True
        assert await relay.deliver(delivery("relay", None)) == "register 3 = 7 (on)"
        assert await register(module, 3) == 7
        wanted.on = False
        assert await relay.deliver(delivery("relay", None)) == "register 3 = 2 (off)"
        assert await register(module, 3) == 2
        assert await register(module, 2) == 0


async def test_a_modbus_exception_is_a_failed_delivery(
    module: ModbusTcpServer, port: int, wanted: Wanted
) -> None:
    async with channel_of(settings(port, table="register", address=100), wanted) as relay:
        with pytest.raises(DeliveryFailed) as failed:
            await relay.deliver(delivery("relay", None))
        assert str(failed.value) == (
            f"relay at 127.0.0.1:{port} unit 1: Modbus exception 2 (illegal data address)"
        )
        assert relay.state is None


async def test_no_module_listening_is_a_failed_delivery(port: int, wanted: Wanted) -> None:
    async with channel_of(settings(port), wanted) as relay:
        with pytest.raises(DeliveryFailed) as failed:
            await relay.deliver(delivery("relay", None))
        assert str(failed.value) == (
            f"relay at 127.0.0.1:{port} unit 1: cannot connect (refused or unreachable)"
        )
        assert relay.last_error == str(failed.value)


async def test_a_module_that_comes_back_is_set_again_by_the_refresh(
    port: int, wanted: Wanted, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.notify.relay")
    wanted.on = True
    relay_settings = settings(port, refresh_s=0.05, timeout_s=0.5)
    where = f"relay at 127.0.0.1:{port} unit 1"
    async with channel_of(relay_settings, wanted) as relay:
        async with relay_module(port):
            assert await relay.deliver(delivery("relay", None)) == "coil 0 on"
        # The module is gone (power cut) under an open connection: the request is sent before
        # the loop sees the connection close, and pymodbus waits out its timeout.
        with pytest.raises(DeliveryFailed) as failed:
            await relay.deliver(delivery("relay", None))
        assert str(failed.value) == f"{where}: no answer within 0.5 s"
        assert relay.state is None
        with pytest.raises(DeliveryFailed) as failed:
            await relay.deliver(delivery("relay", None))
        assert str(failed.value) == f"{where}: cannot connect (refused or unreachable)"
        async with refreshing(relay):
            await asyncio.sleep(0.3)  # several refreshes fail meanwhile
            # Back with its coils off, as after a restart: the refresh turns it on again.
            async with relay_module(port) as second:
                assert await coil(second) is False
                await eventually(lambda: coil(second), "the coil written again after the restart")
                await eventually(lambda: relay.state is True, "the state known")
    records = [(r.levelname, r.getMessage()) for r in caplog.records]
    warnings = [m for level, m in records if level == "WARNING"]
    # One warning per outage, whatever the number of failed refreshes.
    assert warnings == [
        f"{where}: no answer within 0.5 s (relay not set; retrying every 0.05 s)"
    ], records
    assert [m for level, m in records if level == "INFO"] == [
        f"{where}: answering again (coil 0 on)"
    ]


async def test_run_turns_the_relay_off_at_start_when_nothing_waits(
    module: ModbusTcpServer, port: int, wanted: Wanted
) -> None:
    await module.async_setValues(1, 5, 0, [True])  # left on by a previous run
    relay = RelayChannel(settings(port, refresh_s=0.05), wanted)
    async with refreshing(relay):
        await eventually(lambda: relay.state is False, "the first refresh")
        assert await coil(module) is False
    assert relay._client is None  # run closed its connection on the way out


async def test_a_write_cut_by_the_dispatchers_timeout_starts_a_new_connection(
    wanted: Wanted,
) -> None:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # accepts, never answers: a module that hangs

    held: list[asyncio.StreamWriter] = []
    silent = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    try:
        async with channel_of(settings(port, timeout_s=5.0), wanted) as relay:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(relay.deliver(delivery("relay", None)), 0.2)
            assert relay._client is None  # the half-done exchange is not reused
            assert relay.state is None
    finally:
        for writer in held:
            writer.close()
        silent.close()
        await silent.wait_closed()


def alarm(priority: Priority, state: AlarmState) -> Alarm:
    return Alarm(f"band:{priority.name}", "F1", priority, "fridge F1 out of band", state)


def test_relay_wanted_is_an_unacknowledged_alarm_of_the_priority_or_more_urgent() -> None:
    alarms: list[Alarm] = []
    wanted = relay_wanted(lambda: alarms, Priority.CRITICAL)
    assert wanted() is False
    alarms.append(alarm(Priority.CRITICAL, AlarmState.UNACKED))
    assert wanted() is True
    alarms[0].state = AlarmState.ACKED
    assert wanted() is False
    alarms[0].state = AlarmState.RTN_UNACKED  # back to normal, but nobody has seen it yet
    assert wanted() is True
    alarms[0].state = AlarmState.SHELVED
    assert wanted() is False
    alarms.append(alarm(Priority.LOW, AlarmState.UNACKED))
    assert wanted() is False  # a low alarm does not sound a buzzer set for critical ones
    assert relay_wanted(lambda: alarms, Priority.LOW)() is True


def test_priority_of_names_the_settings_priorities() -> None:
    assert [priority_of(n) for n in ("critical", "high", "medium", "low")] == list(Priority)
    assert priority_of("HIGH") is Priority.HIGH
    with pytest.raises(ValueError, match="one of critical, high, medium, low"):
        priority_of("urgent")
