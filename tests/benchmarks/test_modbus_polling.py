"""How fast the Modbus driver polls the simulator (printed, not asserted).

Run on demand: ``.venv/bin/pytest -s tests/benchmarks/test_modbus_polling.py``. Over a
pseudo-terminal the baud rate is not simulated, so RTU figures show the software's cost,
not what an RS-485 bus at 9600 baud allows (about 20 ms per short request there).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from simulator.frontends.modbus_server import ModbusFrontend
from tests.fixtures.ports import free_port
from tests.simulator.frontends.modbus_fakes import (
    FakeLab,
    make_settings,
    modbus_probe,
    rtu_bus,
    tcp_bus,
)

pytestmark = pytest.mark.benchmark

POLLS = 300


async def _measure(label: str, bus: dict[str, Any], max_gap: int) -> None:
    # Ten probes, every other register: one request with holes merged, ten without.
    probes = [modbus_probe(f"p{i}", bus["id"], 1, 2 * i) for i in range(10)]
    settings = make_settings([bus], probes)
    lab = FakeLab({f"p{i}": 20.0 + i for i in range(10)})
    sink = CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink, max_gap=max_gap)
    async with ModbusFrontend(settings, lab) as frontend:
        try:
            await poller.poll_once()
            started = time.perf_counter()
            for _ in range(POLLS):
                await poller.poll_once()
            elapsed = time.perf_counter() - started
        finally:
            poller.close()
    requests = frontend.buses[bus["id"]].request_count() - len(poller.reads)
    print(
        f"\n{label}: {len(poller.reads)} request(s) per poll, {POLLS} polls of 10 probes in "
        f"{elapsed * 1000:.0f} ms = {elapsed / POLLS * 1e6:.0f} µs per poll, "
        f"{requests / elapsed:,.0f} requests/s"
    )


@pytest.mark.parametrize("max_gap", [4, 0], ids=["merged", "one-per-probe"])
async def test_tcp_polls(max_gap: int) -> None:
    await _measure(f"Modbus TCP, max_gap={max_gap}", tcp_bus("b", free_port()), max_gap)


@pytest.mark.parametrize("max_gap", [4, 0], ids=["merged", "one-per-probe"])
async def test_rtu_polls_over_a_pty(max_gap: int, tmp_path: Path) -> None:
    bus = rtu_bus("b", str(tmp_path / "tty"), inter_frame_gap_s=0.0)
    await _measure(f"Modbus RTU (pty), max_gap={max_gap}", bus, max_gap)
