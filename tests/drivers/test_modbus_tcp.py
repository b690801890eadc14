"""The Modbus driver against the simulator's Modbus TCP front-end, over real sockets."""

from __future__ import annotations

import pytest

from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from monitor.reading import Quality
from simulator.frontends.modbus_server import ModbusFrontend
from tests.fixtures.ports import free_port
from tests.simulator.frontends.modbus_fakes import (
    FakeLab,
    count,
    eventually,
    latest,
    make_settings,
    modbus_probe,
    polling,
    tcp_bus,
)

# Each encoding the settings offer, in both tables and on several units.
PROBES = [
    modbus_probe("bath", "tcp1", 1, 0),
    modbus_probe("ref", "tcp1", 1, 1, encoding="uint16"),
    modbus_probe("b1", "tcp1", 1, 2, encoding="float32", scale=1.0),
    modbus_probe("b2", "tcp1", 1, 4, encoding="float32", scale=1.0, word_order="little"),
    modbus_probe("in16", "tcp1", 2, 0, table="input"),
    modbus_probe("in32", "tcp1", 2, 10, table="input", encoding="int32", scale=0.01),
    modbus_probe("u32", "tcp1", 7, 100, encoding="uint32", scale=0.001, word_order="little"),
    modbus_probe("fahr", "tcp1", 7, 3, unit="F"),
    modbus_probe("freezer", "tcp1", 9, 40, table="input", encoding="float32", scale=1.0),
]
VALUES = {
    "bath": 63.04,
    "ref": 62.87,
    "b1": 62.913,
    "b2": 61.777,
    "in16": -19.96,
    "in32": 4.123,
    "u32": 3.2104,
    "fahr": 62.5,
    "freezer": -21.337,
}


async def test_every_encoding_reads_within_five_hundredths() -> None:
    port = free_port()
    settings = make_settings([tcp_bus("tcp1", port)], PROBES)
    lab, sink = FakeLab(VALUES), CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    async with ModbusFrontend(settings, lab), polling(poller):
        await eventually(lambda: all(count(sink, p) >= 2 for p in VALUES), "every probe read")
    for probe_id, value in VALUES.items():
        reading = latest(sink, probe_id)
        assert reading is not None
        assert reading.quality is Quality.OK, (probe_id, reading)
        assert reading.value == pytest.approx(value, abs=0.05), probe_id
    assert poller.counters.errors == dict.fromkeys(poller.counters.errors, 0)


async def test_three_contiguous_probes_cost_one_request_per_poll() -> None:
    port = free_port()
    probes = [modbus_probe(p, "tcp1", 1, i) for i, p in enumerate(("bath", "ref", "b1"))]
    settings = make_settings([tcp_bus("tcp1", port)], probes)
    lab, sink = FakeLab({"bath": 63.0, "ref": 62.5, "b1": 62.0}), CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    async with ModbusFrontend(settings, lab) as frontend:
        try:
            for _ in range(5):
                await poller.poll_once()
        finally:
            poller.close()
    served = frontend.buses["tcp1"]
    assert [(r.unit_id, r.address, r.count) for r in poller.reads] == [(1, 0, 3)]
    assert [count(sink, p) for p in ("bath", "ref", "b1")] == [5, 5, 5]
    assert served.request_count(unit_id=1, function_code=3) == 5
    assert served.request_count() == poller.counters.requests == 5
