"""A device's status register, read beside its value from a real pymodbus server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from monitor.reading import Quality
from tests.fixtures.ports import free_port
from tests.simulator.frontends.modbus_fakes import (
    count,
    eventually,
    latest,
    make_settings,
    modbus_probe,
    polling,
    tcp_bus,
)

HOLDING, INPUT = 16, 4  # the function codes pymodbus's setValues takes for each table


@contextlib.asynccontextmanager
async def transmitter(port: int) -> AsyncIterator[ModbusTcpServer]:
    """Unit 1: holding 0-1 two channels in tenths, holding 2 their status; input 20 a flag."""
    bits = [SimData(0, values=[False] * 16, datatype=DataType.BITS)]
    holding = [SimData(0, count=4, values=[36, 41, 0, 0], datatype=DataType.REGISTERS)]
    inputs = [SimData(0, count=30, values=0, datatype=DataType.REGISTERS)]
    server = ModbusTcpServer(
        SimDevice(id=1, simdata=(bits, bits, holding, inputs)), address=("127.0.0.1", port)
    )
    await server.serve_forever(background=True)
    try:
        yield server
    finally:
        await server.shutdown()  # type: ignore[no-untyped-call]


def probes() -> list[dict[str, Any]]:
    shared = {"address": 2, "fault_values": {"1": "sensor break", "2": "short circuit"}}
    return [
        modbus_probe("ch1", "t", 1, 0, status=shared),
        modbus_probe("ch2", "t", 1, 1, status=shared),
        modbus_probe(
            "ch3", "t", 1, 3, status={"address": 20, "table": "input", "fault_mask": 0x0001}
        ),
    ]


async def test_the_device_status_makes_the_reading_a_fault_with_its_reason() -> None:
    port = free_port()
    settings = make_settings([tcp_bus("t", port)], probes())
    sink = CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    assert [r.describe() for r in poller.reads] == [
        "unit 1 holding registers 0-3",
        "unit 1 input registers 20",
    ]
    async with transmitter(port) as server, polling(poller):
        await eventually(lambda: count(sink, "ch3") >= 2, "readings of every channel")
        first = latest(sink, "ch1")
        assert first is not None
        assert (first.value, first.quality) == (3.6, Quality.OK)
        await server.async_setValues(1, HOLDING, 2, [2])
        await server.async_setValues(1, INPUT, 20, [0x0003])

        def faulty() -> bool:
            readings = [latest(sink, p) for p in ("ch1", "ch2", "ch3")]
            return all(r is not None and r.quality is Quality.FAULT for r in readings)

        await eventually(faulty, "every channel a fault")
        await server.async_setValues(1, HOLDING, 2, [0])
        await eventually(
            lambda: (r := latest(sink, "ch1")) is not None and r.quality is Quality.OK,
            "ch1 good again",
        )
    faults = {r.probe_id: r.detail for r in sink.readings if r.quality is Quality.FAULT}
    assert faults["ch1"] == "device status 2: short circuit"
    assert faults["ch2"] == "device status 2: short circuit"
    assert faults["ch3"] == "device status 0x0003: fault bits 0x0001"
    assert poller.is_available("ch1")  # a fault the device reports is a reading, not silence


async def test_a_status_that_cannot_be_read_makes_the_probe_unavailable() -> None:
    port = free_port()
    # Input register 40 is beyond what the unit serves: the status read is refused.
    data = [
        modbus_probe("ch1", "t", 1, 0, status={"address": 40, "table": "input", "fault_mask": 1})
    ]
    settings = make_settings([tcp_bus("t", port)], data)
    sink = CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    async with transmitter(port), polling(poller):
        await eventually(lambda: bool(sink.changes), "an availability change")
    assert sink.readings == []
    change = sink.changes[0]
    assert (change.probe_id, change.available) == ("ch1", False)
    assert "input registers 40" in change.reason
