"""The Modbus front-end seen by a plain pymodbus client: maps, faults, links, counts."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.exceptions import ModbusIOException

from config.probes import ModbusSource
from simulator.frontends.modbus_encoding import encode_number
from simulator.frontends.modbus_server import ModbusFrontend
from simulator.models.probe import ProbeFaultKind
from tests.fixtures.ports import free_port
from tests.simulator.frontends.modbus_fakes import (
    FakeLab,
    eventually,
    make_settings,
    modbus_probe,
    rtu_bus,
    tcp_bus,
)

PROBES = [
    modbus_probe("bath", "b", 1, 0),
    modbus_probe("ref", "b", 1, 1),
    modbus_probe("flt", "b", 1, 2, encoding="float32", scale=1.0, word_order="little"),
    modbus_probe("near", "b", 1, 10),
    modbus_probe("far", "b", 1, 40),
    modbus_probe("air", "b", 5, 3, table="input", scale=0.01),
]
VALUES = {"bath": 63.04, "ref": -1.3, "flt": 62.5, "near": 20.0, "far": 20.0, "air": 3.21}


@contextlib.asynccontextmanager
async def client_for(port: int) -> AsyncIterator[AsyncModbusTcpClient]:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=0.2, retries=0, reconnect_delay=0)
    try:
        assert await client.connect()
        yield client
    finally:
        client.close()


async def test_registers_hold_each_probe_as_configured() -> None:
    port = free_port()
    settings = make_settings([tcp_bus("b", port)], PROBES)
    async with ModbusFrontend(settings, FakeLab(VALUES)) as frontend, client_for(port) as client:
        holding = await client.read_holding_registers(0, count=4, device_id=1)
        inputs = await client.read_input_registers(3, count=1, device_id=5)
        hole = await client.read_holding_registers(4, count=7, device_id=1)
    flt = settings.probes[2].source
    assert isinstance(flt, ModbusSource)
    assert holding.registers == [630, 0xFFF3, *encode_number(62.5, flt)]
    assert flt.word_order == "little"
    assert holding.registers[2:] == [0x0000, 0x427A]
    assert inputs.registers == [321]
    assert hole.registers == [0] * 6 + [200]  # a small hole in a unit's map reads as zeros
    served = frontend.buses["b"]
    assert served.request_count(unit_id=1, function_code=3) == 2
    assert served.request_count(unit_id=5, function_code=4) == 1
    assert served.request_count(function_code=4) == 1
    assert served.request_count() == 3


async def test_unmapped_writes_and_unknown_units() -> None:
    port = free_port()
    settings = make_settings([tcp_bus("b", port)], PROBES)
    async with ModbusFrontend(settings, FakeLab(VALUES)) as frontend, client_for(port) as client:
        across_gap = await client.read_holding_registers(0, count=41, device_id=1)
        write = await client.write_register(0, 1, device_id=1)
        still = await client.read_holding_registers(0, count=1, device_id=1)
        with pytest.raises(ModbusIOException, match="No response"):
            await client.read_holding_registers(0, count=1, device_id=9)
    assert across_gap.isError()
    assert across_gap.exception_code == 2
    assert write.isError()
    assert write.exception_code == 2
    assert still.registers == [630]
    assert frontend.buses["b"].request_count(unit_id=9) == 1


async def test_faults_touch_only_requests_for_the_faulty_probe() -> None:
    port = free_port()
    settings = make_settings([tcp_bus("b", port)], PROBES)
    lab = FakeLab(VALUES)
    async with ModbusFrontend(settings, lab), client_for(port) as client:
        lab.faults["ref"] = ProbeFaultKind.DEVICE_EXCEPTION
        refused = await client.read_holding_registers(0, count=2, device_id=1)
        bath_alone = await client.read_holding_registers(0, count=1, device_id=1)
        lab.faults["ref"] = ProbeFaultKind.NO_ANSWER
        with pytest.raises(ModbusIOException, match="No response"):
            await client.read_holding_registers(1, count=1, device_id=1)
        lab.faults["ref"] = ProbeFaultKind.OPEN_CIRCUIT
        lab.sentinels["ref"] = 3276.7
        open_circuit = await client.read_holding_registers(1, count=1, device_id=1)
    assert refused.isError()
    assert refused.exception_code == 4
    assert bath_alone.registers == [630]
    assert open_circuit.registers == [32767]


async def test_link_down_stops_listening_and_up_restarts() -> None:
    port = free_port()
    settings = make_settings([tcp_bus("b", port)], PROBES)
    lab = FakeLab(VALUES)
    async with ModbusFrontend(settings, lab, link_check_s=0.01):
        lab.links_down.add("b")
        await eventually(lambda: not _accepts(port), "listener closed")
        lab.links_down.clear()
        await eventually(lambda: _accepts(port), "listening again")
        async with client_for(port) as client:
            response = await client.read_holding_registers(0, count=1, device_id=1)
    assert response.registers == [630]
    assert not _accepts(port)


async def test_a_bus_whose_link_starts_down_is_served_when_it_comes_up() -> None:
    port = free_port()
    settings = make_settings([tcp_bus("b", port)], PROBES)
    lab = FakeLab(VALUES)
    lab.links_down.add("b")
    async with ModbusFrontend(settings, lab, link_check_s=0.01):
        assert not _accepts(port)
        lab.links_down.clear()
        await eventually(lambda: _accepts(port), "listening")


async def test_run_serves_until_cancelled() -> None:
    port = free_port()
    frontend = ModbusFrontend(make_settings([tcp_bus("b", port)], PROBES), FakeLab(VALUES))
    task = asyncio.create_task(frontend.run(), name="modbus front-end")
    try:
        await eventually(lambda: _accepts(port), "listening")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert not _accepts(port)


async def test_rtu_units_answer_on_the_configured_device_path(tmp_path: Path) -> None:
    device = tmp_path / "ttyLAB0"
    settings = make_settings([rtu_bus("b", str(device))], PROBES)
    lab = FakeLab(VALUES)
    async with ModbusFrontend(settings, lab) as frontend:
        assert device.is_symlink()
        client = AsyncModbusSerialClient(str(device), timeout=0.2, retries=0, reconnect_delay=0)
        try:
            assert await client.connect()
            response = await client.read_input_registers(3, count=1, device_id=5)
            lab.links_down.add("b")
            await frontend.check_links()
            with pytest.raises(ModbusIOException, match="No response"):
                await client.read_input_registers(3, count=1, device_id=5)
        finally:
            client.close()
    assert response.registers == [321]
    assert not device.exists()
    assert not device.is_symlink()


async def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        frontend = ModbusFrontend(make_settings([tcp_bus("b", port)], PROBES), FakeLab(VALUES))
        with pytest.raises(OSError, match=f"cannot serve Modbus bus b on 127.0.0.1:{port}"):
            await frontend.start()


def test_settings_the_simulator_cannot_serve_are_refused() -> None:
    lab = FakeLab(VALUES)
    remote = make_settings([tcp_bus("b", 502, host="192.0.2.10")], PROBES)
    with pytest.raises(ValueError, match=re.escape("serves on loopback only, not on '192.0.2.10'")):
        ModbusFrontend(remote, lab)
    unknown = make_settings([tcp_bus("b", 502)], [modbus_probe("ghost", "b", 1, 0)])
    with pytest.raises(ValueError, match="probe ghost of Modbus bus b is not in the simulated lab"):
        ModbusFrontend(unknown, lab)
    # Overlapping registers are refused by the settings themselves, before any front-end.
    with pytest.raises(ValueError, match="the value of probe ref overlaps probe bath's value"):
        make_settings(
            [tcp_bus("b", 502)],
            [
                modbus_probe("bath", "b", 1, 0, encoding="float32", scale=1.0),
                modbus_probe("ref", "b", 1, 1),
            ],
        )
    empty = make_settings([tcp_bus("b", 502), tcp_bus("idle", 503)], PROBES)
    assert list(ModbusFrontend(empty, lab).buses) == ["b"]
    with pytest.raises(ValueError, match="bus b is Modbus TCP: only RTU frames carry a CRC"):
        ModbusFrontend(empty, lab).buses["b"].garble_responses(1)


def test_garbling_needs_a_known_unit_and_a_positive_count(tmp_path: Path) -> None:
    settings = make_settings([rtu_bus("b", str(tmp_path / "tty"))], PROBES)
    served = ModbusFrontend(settings, FakeLab(VALUES)).buses["b"]
    with pytest.raises(ValueError, match="bus b has no unit 4"):
        served.garble_responses(4)
    with pytest.raises(ValueError, match="count must be >= 1 or None, got 0"):
        served.garble_responses(1, count=0)


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0
