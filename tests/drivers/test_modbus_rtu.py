"""The Modbus driver against the simulator's Modbus RTU front-end, over a real pseudo-terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drivers.modbus_client import ModbusConnection
from drivers.modbus_plan import plan_reads
from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from monitor.reading import Quality
from simulator.frontends.modbus_server import ModbusFrontend
from tests.simulator.frontends.modbus_fakes import (
    FakeLab,
    count,
    eventually,
    latest,
    make_settings,
    modbus_probe,
    polling,
    rtu_bus,
)

PROBES = [
    modbus_probe("bath", "rs485", 1, 0),
    modbus_probe("ref", "rs485", 1, 1),
    modbus_probe("b1", "rs485", 1, 2, encoding="uint16"),
    modbus_probe("fl-big", "rs485", 3, 0, table="input", encoding="float32", scale=1.0),
    modbus_probe(
        "fl-little",
        "rs485",
        3,
        2,
        table="input",
        encoding="float32",
        scale=1.0,
        word_order="little",
    ),
    modbus_probe("fridge", "rs485", 12, 7, table="input", scale=0.01),
    modbus_probe("freezer", "rs485", 12, 8, table="input", encoding="int32", scale=0.001),
]
VALUES = {
    "bath": 63.02,
    "ref": 62.71,
    "b1": 61.9,
    "fl-big": 62.345,
    "fl-little": 62.222,
    "fridge": 3.21,
    "freezer": -19.876,
}


async def test_every_encoding_reads_within_five_hundredths(tmp_path: Path) -> None:
    settings = make_settings([rtu_bus("rs485", str(tmp_path / "ttyLAB0"))], PROBES)
    lab, sink = FakeLab(VALUES), CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    async with ModbusFrontend(settings, lab) as frontend, polling(poller):
        await eventually(lambda: all(count(sink, p) >= 2 for p in VALUES), "every probe read")
    for probe_id, value in VALUES.items():
        reading = latest(sink, probe_id)
        assert reading is not None
        assert reading.quality is Quality.OK, (probe_id, reading)
        assert reading.value == pytest.approx(value, abs=0.05), probe_id
    assert poller.counters.errors == dict.fromkeys(poller.counters.errors, 0)
    # unit 12: an int16 at 7 and an int32 at 8-9 make one read of 3 registers.
    assert [(r.unit_id, r.table, r.address, r.count) for r in poller.reads] == [
        (1, "holding", 0, 3),
        (3, "input", 0, 4),
        (12, "input", 7, 3),
    ]
    assert frontend.buses["rs485"].request_count(unit_id=12, function_code=4) >= 2


async def test_three_contiguous_probes_cost_one_request_per_poll(tmp_path: Path) -> None:
    settings = make_settings([rtu_bus("rs485", str(tmp_path / "ttyLAB0"))], PROBES[:3])
    lab, sink = FakeLab(VALUES), CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    async with ModbusFrontend(settings, lab) as frontend:
        try:
            for _ in range(4):
                await poller.poll_once()
        finally:
            poller.close()
    assert [count(sink, p) for p in ("bath", "ref", "b1")] == [4, 4, 4]
    assert frontend.buses["rs485"].request_count() == 4


async def test_requests_keep_the_inter_frame_silence(tmp_path: Path) -> None:
    gap_s = 0.05
    device = str(tmp_path / "ttyLAB0")
    settings = make_settings([rtu_bus("rs485", device, inter_frame_gap_s=gap_s)], PROBES)
    connection = ModbusConnection(settings.modbus[0])
    reads = plan_reads(settings.probes)
    loop = asyncio.get_running_loop()
    async with ModbusFrontend(settings, FakeLab(VALUES)):
        try:
            await connection.connect()
            started = loop.time()
            for read in reads:
                await connection.read(read)
            elapsed = loop.time() - started
        finally:
            connection.close()
    # Three requests: the second and third each wait for the silence after a response.
    assert elapsed >= 2 * gap_s
