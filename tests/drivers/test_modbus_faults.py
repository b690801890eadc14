"""Faults on a Modbus bus: each affected probe goes unavailable once, comes back once, and the
other units keep delivering readings meanwhile. Real sockets and a real pseudo-terminal."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from drivers.modbus_poller import ModbusPoller
from drivers.sink import CollectingSink
from monitor.clock import ScaledClock, SystemClock
from monitor.reading import Quality
from simulator.frontends.modbus_server import ModbusFrontend
from simulator.models.probe import ProbeFaultKind
from tests.fixtures.ports import free_port
from tests.simulator.frontends.modbus_fakes import (
    FakeLab,
    count,
    eventually,
    latest,
    make_settings,
    modbus_probe,
    polling,
    rtu_bus,
    tcp_bus,
)

VALUES = {"bath": 63.1, "ref": 62.8, "fridge": 3.4}


class Bench:
    """A simulated bus with two units, and a poller reading it."""

    def __init__(self, bus: dict[str, Any], frontend: ModbusFrontend, poller: ModbusPoller):
        self.bus_id = str(bus["id"])
        self.frontend = frontend
        self.poller = poller
        self.lab: FakeLab
        self.sink: CollectingSink

    async def keeps_flowing(self, probe_id: str, more: int = 3) -> None:
        before = count(self.sink, probe_id)
        await eventually(lambda: count(self.sink, probe_id) >= before + more, f"{probe_id} flows")

    def reasons(self, probe_id: str) -> list[tuple[bool, str]]:
        return [(c.available, c.reason) for c in self.sink.changes if c.probe_id == probe_id]


def bus_settings(kind: str, tmp_path: Path) -> dict[str, Any]:
    if kind == "tcp":
        return tcp_bus("lab-bus", free_port())
    return rtu_bus("lab-bus", str(tmp_path / "ttyLAB0"))


@contextlib.asynccontextmanager
async def bench(bus: dict[str, Any], clock: Any = None) -> AsyncIterator[Bench]:
    probes = [
        modbus_probe("bath", bus["id"], 1, 0),
        modbus_probe("ref", bus["id"], 1, 1),
        modbus_probe("fridge", bus["id"], 2, 0, scale=0.01),
    ]
    settings = make_settings([bus], probes)
    lab, sink = FakeLab(VALUES), CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, clock or SystemClock(), sink)
    async with ModbusFrontend(settings, lab) as frontend, polling(poller):
        b = Bench(bus, frontend, poller)
        b.lab, b.sink = lab, sink
        await eventually(lambda: all(poller.is_available(p) for p in VALUES), "all available")
        yield b


def probe_log(caplog: pytest.LogCaptureFixture, probe_id: str) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.getMessage().startswith(f"probe {probe_id}:")
    ]


@pytest.mark.parametrize("kind", ["tcp", "rtu"])
@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (ProbeFaultKind.DEVICE_EXCEPTION, "Modbus exception 4 (device failure)"),
        (ProbeFaultKind.NO_ANSWER, "no answer within 0.2 s (1 try)"),
    ],
)
async def test_unit_fault_is_reported_once_and_recovers(
    kind: str,
    fault: ProbeFaultKind,
    reason: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    async with bench(bus_settings(kind, tmp_path)) as b:
        b.lab.faults["fridge"] = fault
        await eventually(lambda: not b.poller.is_available("fridge"), "fridge unavailable")
        await b.keeps_flowing("bath")
        assert b.poller.is_available("bath")
        assert b.poller.is_available("ref")
        del b.lab.faults["fridge"]
        await eventually(lambda: b.poller.is_available("fridge"), "fridge back")
        await b.keeps_flowing("fridge")
    expected = f"fridge: unit 2 holding registers 0 on lab-bus: {reason}"
    assert b.reasons("fridge") == [(True, "answering"), (False, expected), (True, "answering")]
    assert probe_log(caplog, "fridge") == [
        f"probe fridge: unavailable: {expected}",
        "probe fridge: available again",
    ]
    assert probe_log(caplog, "bath") == []
    kind_counted = "exception" if fault is ProbeFaultKind.DEVICE_EXCEPTION else "timeout"
    assert b.poller.counters.errors[kind_counted] >= 1
    assert b.poller.failures["fridge"] >= 1
    assert b.poller.failures["bath"] == 0


async def test_crc_errors_on_rtu_are_a_garbled_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with bench(bus_settings("rtu", tmp_path)) as b:
        b.frontend.buses["lab-bus"].garble_responses(2, count=None)
        await eventually(lambda: not b.poller.is_available("fridge"), "fridge unavailable")
        await b.keeps_flowing("bath")
        b.frontend.buses["lab-bus"].stop_garbling()
        await eventually(lambda: b.poller.is_available("fridge"), "fridge back")
        await b.keeps_flowing("fridge")
    assert [r for r in b.reasons("fridge") if not r[0]] == [
        (
            False,
            "fridge: unit 2 holding registers 0 on lab-bus: garbled answer "
            "(CRC error or broken frame), 1 try",
        )
    ]
    assert len(probe_log(caplog, "fridge")) == 2
    assert b.frontend.buses["lab-bus"].garbled_frames >= 1
    assert b.poller.counters.errors["garbled"] >= 1
    assert b.poller.counters.errors["timeout"] == 0


async def test_one_garbled_answer_is_absorbed_by_a_retry(tmp_path: Path) -> None:
    bus = rtu_bus("lab-bus", str(tmp_path / "ttyLAB0"), retries=1)
    async with bench(bus) as b:
        b.frontend.buses["lab-bus"].garble_responses(2, count=1)
        await b.keeps_flowing("fridge")
    assert b.frontend.buses["lab-bus"].garbled_frames == 1
    assert b.reasons("fridge") == [(True, "answering")]


async def test_device_gone_then_back_on_the_same_port(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    port = free_port()
    async with bench(tcp_bus("lab-bus", port)) as b:
        connects_before = b.poller.counters.connect_attempts
        b.lab.links_down.add("lab-bus")
        await eventually(
            lambda: not any(b.poller.is_available(p) for p in VALUES), "all unavailable"
        )
        await eventually(
            lambda: b.poller.counters.connect_attempts >= connects_before + 3, "retrying"
        )
        b.lab.links_down.clear()
        await eventually(lambda: all(b.poller.is_available(p) for p in VALUES), "all back")
        for probe_id in VALUES:
            await b.keeps_flowing(probe_id)
    for probe_id in VALUES:
        messages = probe_log(caplog, probe_id)
        assert len(messages) == 2, messages
        assert messages[1] == f"probe {probe_id}: available again"
    bus_log = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Modbus bus")]
    assert bus_log == [
        f"Modbus bus lab-bus: unreachable: cannot connect to 127.0.0.1:{port} "
        "(refused or unreachable)",
        "Modbus bus lab-bus: connected again",
    ]
    assert b.poller.counters.errors["unreachable"] >= 3


async def test_open_circuit_is_a_fault_reading_not_an_outage(tmp_path: Path) -> None:
    async with bench(bus_settings("rtu", tmp_path)) as b:
        b.lab.faults["bath"] = ProbeFaultKind.OPEN_CIRCUIT
        b.lab.sentinels["bath"] = 3276.7
        await eventually(
            lambda: (r := latest(b.sink, "bath")) is not None and r.quality is Quality.FAULT,
            "a fault reading",
        )
        reading = latest(b.sink, "bath")
        assert reading is not None
        assert reading.raw == 3276.7
        assert reading.detail == "fault value 3276.7"
        assert b.poller.is_available("bath")


async def test_a_bus_that_never_answers_is_retried_with_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    # Backoff 1 s doubling to 4 s of clock time, at 20x: in 10 clock seconds the attempts
    # are at 0, 1, 3 and 7 s; every 0.5 s period would be 20 attempts without backoff.
    bus = tcp_bus("lab-bus", free_port(), backoff={"initial_s": 1.0, "max_s": 4.0})
    settings = make_settings([bus], [modbus_probe("bath", "lab-bus", 1, 0, period_s=0.5)])
    clock, sink = ScaledClock(20.0), CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, clock, sink)
    async with polling(poller):
        await eventually(lambda: clock.monotonic() >= 10.0, "ten clock seconds")
        attempts = poller.counters.connect_attempts
    assert 2 <= attempts <= 5
    assert not poller.is_available("bath")
    assert sink.readings == []
    assert len(probe_log(caplog, "bath")) == 1
    assert len([r for r in caplog.records if r.getMessage().startswith("Modbus bus")]) == 1


async def test_float_probe_with_nan_is_a_fault_reading(tmp_path: Path) -> None:
    bus = rtu_bus("lab-bus", str(tmp_path / "ttyLAB0"))
    probe = modbus_probe("b1", "lab-bus", 4, 0, encoding="float32", scale=1.0)
    settings = make_settings([bus], [probe])
    lab, sink = FakeLab({"b1": 62.0}), CollectingSink()
    lab.faults["b1"] = ProbeFaultKind.OPEN_CIRCUIT
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    async with ModbusFrontend(settings, lab), polling(poller):
        await eventually(lambda: count(sink, "b1") >= 1, "a reading")
    reading = sink.readings[0]
    assert reading.quality is Quality.FAULT
    assert math.isnan(reading.value)


async def test_serial_adapter_unplugged_then_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    device = tmp_path / "ttyLAB0"
    settings = make_settings([rtu_bus("rs485", str(device))], [modbus_probe("bath", "rs485", 1, 0)])
    lab, sink = FakeLab({"bath": 63.0}), CollectingSink()
    poller = ModbusPoller(settings.modbus[0], settings.probes, SystemClock(), sink)
    missing = f"serial device {device} does not exist"
    async with polling(poller):
        async with ModbusFrontend(settings, lab):
            await eventually(lambda: poller.is_available("bath"), "bath read")
        await eventually(lambda: not poller.is_available("bath"), "bath unavailable")
        # A request in flight as the adapter goes gets no answer: the probe may go down on
        # that timeout before the reconnect finds the device gone. Either way the bus's own
        # line names the missing device.
        assert sink.changes[-1].reason in (f"rs485: {missing}", _no_answer("bath", "rs485"))
        await eventually(
            lambda: f"Modbus bus rs485: unreachable: {missing}" in caplog.messages,
            "the missing device named",
        )
        async with ModbusFrontend(settings, lab):
            await eventually(lambda: poller.is_available("bath"), "bath back")
            before = count(sink, "bath")
            await eventually(lambda: count(sink, "bath") > before + 2, "bath flows again")
    assert [c.available for c in sink.changes] == [True, False, True]


def _no_answer(probe_id: str, bus_id: str) -> str:
    """The reason a probe gets for a request that timed out (the test buses wait 0.2 s)."""
    return f"{probe_id}: unit 1 holding registers 0 on {bus_id}: no answer within 0.2 s (1 try)"
