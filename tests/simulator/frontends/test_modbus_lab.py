"""The real lab (shipped scenario ``normal-day``) served by the front-end, read by the driver,
with the settings of ``config/examples/simulator.toml`` (on a free port, or moved to RTU)."""

from __future__ import annotations

import asyncio
import contextlib
import tomllib
from pathlib import Path
from typing import Any

import pytest

from config.loading import validate_mapping
from config.probes import ModbusSource
from config.settings import Settings
from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.clock import ScaledClock, SystemClock
from monitor.reading import Quality
from simulator.frontends.modbus_server import ModbusFrontend
from simulator.lab import Lab
from simulator.runner import run_lab
from simulator.scenario import load_shipped_scenario
from tests.fixtures.ports import free_port
from tests.simulator.frontends.modbus_fakes import count, eventually, polling

EXAMPLE = Path(__file__).parents[3] / "config" / "examples" / "simulator.toml"
PASTEURISER_PROBES = ("P1-bath", "P1-ref", "P1-b1")


def example_settings(kind: str, tmp_path: Path, encodings: dict[str, dict[str, Any]]) -> Settings:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    (bus,) = data["modbus"]
    assert bus["id"] == "pasteuriser-1"
    if kind == "tcp":
        bus["port"] = free_port()
    else:
        data["modbus"] = [
            {"kind": "rtu", "id": bus["id"], "device": str(tmp_path / "ttyP1"), "timeout_s": 0.5}
        ]
    for probe in data["probes"]:
        probe["source"] |= encodings.get(probe["id"], {})
    return validate_mapping(data, str(EXAMPLE))


AS_SHIPPED: dict[str, dict[str, Any]] = {}
MIXED = {
    "P1-bath": {"encoding": "float32", "scale": 1.0, "address": 10, "word_order": "little"},
    "P1-ref": {"encoding": "uint16", "scale": 0.01, "table": "input"},
    "P1-b1": {"encoding": "float32", "scale": 1.0, "address": 12},
}


@pytest.mark.parametrize("kind", ["tcp", "rtu"])
@pytest.mark.parametrize("encodings", [AS_SHIPPED, MIXED], ids=["shipped", "mixed"])
async def test_driver_reads_what_the_lab_says(
    kind: str, encodings: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    settings = example_settings(kind, tmp_path, encodings)
    lab = Lab.from_scenario(load_shipped_scenario("normal-day"))
    lab.advance(24 * 60)  # mid come-up: bath at the setpoint, bottles near 62 °C
    probes = [p for p in settings.probes if isinstance(p.source, ModbusSource)]
    sink = CollectingSink()
    poller = ModbusPoller(settings.modbus[0], probes, SystemClock(), sink)
    async with ModbusFrontend(settings, lab):
        try:
            await poller.poll_once()
        finally:
            poller.close()
    assert {r.probe_id for r in sink.readings} == set(PASTEURISER_PROBES)
    for reading in sink.readings:
        said = lab.probe_output(reading.probe_id).value_c
        assert said is not None
        assert reading.quality is Quality.OK
        assert reading.value == pytest.approx(said, abs=0.05), reading
        # The probe's own noise (sigma 0.03 °C) separates it from the model's true value.
        assert reading.value == pytest.approx(lab.true_value(reading.probe_id), abs=0.2)


async def test_readings_follow_the_running_lab(tmp_path: Path) -> None:
    settings = example_settings("tcp", tmp_path, AS_SHIPPED)
    lab = Lab.from_scenario(load_shipped_scenario("normal-day"))
    lab.advance(6 * 60)  # the reference bottle warms by ~7 °C a minute
    clock, sink = ScaledClock(60.0), CollectingSink()
    probes = [p for p in settings.probes if isinstance(p.source, ModbusSource)]
    poller = ModbusPoller(settings.modbus[0], probes, clock, sink)
    runner = asyncio.create_task(run_lab(lab, clock), name="lab")
    try:
        async with ModbusFrontend(settings, lab), polling(poller):
            await eventually(lambda: count(sink, "P1-ref") >= 30, "30 s of clock time polled")
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    ref = [r.value for r in sink.for_probe("P1-ref")]
    assert ref[-1] > ref[0] + 2.0
    assert all(r.quality is Quality.OK for r in sink.readings)
