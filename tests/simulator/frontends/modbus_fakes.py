"""Shared by the Modbus tests: a tiny value source, settings builders, a running poller."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from config.settings import Settings, settings_from_mapping
from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.reading import Reading
from simulator.models.probe import ProbeFaultKind, ProbeOutput


class FakeLab:
    """Probe values and faults set by the test; a link is up unless put in ``links_down``."""

    def __init__(self, values: dict[str, float]) -> None:
        self.values = dict(values)
        self.faults: dict[str, ProbeFaultKind] = {}
        self.sentinels: dict[str, float] = {}
        self.links_down: set[str] = set()

    def probe_output(self, probe_id: str) -> ProbeOutput:
        if probe_id not in self.values:
            raise LookupError(f"unknown probe {probe_id}")
        fault = self.faults.get(probe_id)
        if fault is ProbeFaultKind.OPEN_CIRCUIT:
            return ProbeOutput(self.sentinels.get(probe_id), fault)
        if fault is not None:
            return ProbeOutput(None, fault)
        return ProbeOutput(self.values[probe_id])

    def link_up(self, link_id: str) -> bool:
        return link_id not in self.links_down


def modbus_probe(
    probe_id: str,
    bus: str,
    unit_id: int,
    address: int,
    *,
    encoding: str = "int16",
    scale: float = 0.1,
    table: str = "holding",
    word_order: str = "big",
    period_s: float = 0.05,
    stale_after_periods: int = 20,
    status: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    source: dict[str, Any] = {
        "kind": "modbus",
        "bus": bus,
        "unit_id": unit_id,
        "address": address,
        "encoding": encoding,
        "scale": scale,
        "table": table,
        "word_order": word_order,
    }
    if status is not None:
        source["status"] = status
    return {
        "id": probe_id,
        "source": source,
        "sample_period_s": period_s,
        "stale_after_periods": stale_after_periods,
        **extra,
    }


def tcp_bus(bus_id: str, port: int, **extra: Any) -> dict[str, Any]:
    base = {"kind": "tcp", "id": bus_id, "host": "127.0.0.1", "port": port}
    base |= {"timeout_s": 0.2, "retries": 0, "backoff": {"initial_s": 0.05, "max_s": 0.2}}
    return base | extra


def rtu_bus(bus_id: str, device: str, **extra: Any) -> dict[str, Any]:
    base = {"kind": "rtu", "id": bus_id, "device": device, "baudrate": 19200}
    base |= {"timeout_s": 0.2, "retries": 0, "backoff": {"initial_s": 0.05, "max_s": 0.2}}
    return base | extra


def make_settings(buses: list[dict[str, Any]], probes: list[dict[str, Any]]) -> Settings:
    return settings_from_mapping({"modbus": buses, "probes": probes})


@contextlib.asynccontextmanager
async def polling(poller: ModbusPoller) -> AsyncIterator[ModbusPoller]:
    """Run ``poller`` in a task for the block; cancelled and awaited on the way out."""
    task = asyncio.create_task(poller.run(), name=f"poll {poller.bus.id}")
    try:
        yield poller
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(check: Callable[[], bool], what: str, timeout_s: float = 5.0) -> None:
    """Wait until ``check()`` holds, or fail saying ``what`` never happened."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(0.01)


def latest(sink: CollectingSink, probe_id: str) -> Reading | None:
    readings = sink.for_probe(probe_id)
    return readings[-1] if readings else None


def count(sink: CollectingSink, probe_id: str) -> int:
    return len(sink.for_probe(probe_id))
