"""The poll loop: what it accepts, how it groups probes by period, and the clock it follows."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest

from config.probes import Probe
from drivers.modbus_poller import ModbusPoller, _next_tick
from drivers.sink import CollectingSink
from monitor.clock import NS_PER_S, ScaledClock, SystemClock
from simulator.frontends.modbus_server import ModbusFrontend
from tests.fixtures.ports import free_port
from tests.simulator.frontends.modbus_fakes import (
    FakeLab,
    count,
    eventually,
    make_settings,
    modbus_probe,
    polling,
    tcp_bus,
)


def settings_for(*probes: dict[str, Any], port: int = 1502) -> Any:
    return make_settings([tcp_bus("bus", port), tcp_bus("other", port + 1)], list(probes))


def test_probes_must_be_modbus_probes_of_this_bus() -> None:
    s = settings_for(modbus_probe("a", "bus", 1, 0), modbus_probe("b", "other", 1, 0))
    sink, clock = CollectingSink(), SystemClock()
    with pytest.raises(ValueError, match="probe b is on bus other, not on bus"):
        ModbusPoller(s.modbus[0], s.probes, clock, sink)
    with pytest.raises(ValueError, match="Modbus bus bus has no probes to poll"):
        ModbusPoller(s.modbus[0], [], clock, sink)
    serial = Probe.model_validate(
        {"id": "t", "source": {"kind": "serial", "line": "l", "field": "T"}}
    )
    with pytest.raises(ValueError, match="probe t is not a Modbus probe"):
        ModbusPoller(s.modbus[0], [serial], clock, sink)


def test_probes_are_grouped_by_period() -> None:
    s = settings_for(
        modbus_probe("fast1", "bus", 1, 0, period_s=1.0),
        modbus_probe("slow", "bus", 1, 1, period_s=60.0),
        modbus_probe("fast2", "bus", 1, 2, period_s=1.0),
    )
    poller = ModbusPoller(s.modbus[0], s.probes, SystemClock(), CollectingSink())
    assert [(g.period_s, [r.probe_ids for r in g.reads]) for g in poller.groups] == [
        (1.0, [("fast1", "fast2")]),
        (60.0, [("slow",)]),
    ]


def test_missed_ticks_are_skipped_keeping_the_phase() -> None:
    assert _next_tick(10.0, 1.0, 10.2) == 11.0
    assert _next_tick(10.0, 1.0, 13.5) == 14.0
    assert _next_tick(10.0, 1.0, 11.0) == 12.0


async def test_each_period_is_kept_on_the_injected_clock() -> None:
    port = free_port()
    s = settings_for(
        modbus_probe("fast", "bus", 1, 0, period_s=1.0),
        modbus_probe("slow", "bus", 1, 1, period_s=4.0),
        port=port,
    )
    origin = 1_767_225_600 * NS_PER_S  # 2026-01-01T00:00:00Z
    clock, sink = ScaledClock(20.0, origin), CollectingSink()
    poller = ModbusPoller(s.modbus[0], s.probes, clock, sink)
    async with ModbusFrontend(s, FakeLab({"fast": 4.0, "slow": -20.0})), polling(poller):
        await eventually(lambda: count(sink, "slow") >= 3, "three slow polls")
        now = clock.now_ns()
    # Polls at 0, 4, 8 s for the slow probe; at 0, 1, ... 8 s for the fast one.
    assert count(sink, "fast") >= 2 * count(sink, "slow")
    assert all(origin <= r.ts <= now for r in sink.readings)
    slow = [r.ts for r in sink.for_probe("slow")]
    gaps = [(b - a) / NS_PER_S for a, b in itertools.pairwise(slow)]
    assert all(g == pytest.approx(4.0, abs=0.5) for g in gaps), gaps


async def test_after_the_first_poll_each_period_is_polled_on_its_beats() -> None:
    port = free_port()
    s = settings_for(
        modbus_probe("fast", "bus", 1, 0, period_s=1.0),
        modbus_probe("slow", "bus", 1, 1, period_s=4.0),
        port=port,
    )
    origin, speed = 1_767_225_600 * NS_PER_S, 5.0
    # Started half a clock second past a beat: polls a whole period apart from there would
    # all fall half a second off the beats.
    clock = ScaledClock(speed, origin, real_start=time.monotonic() - 0.5 / speed)
    sink = CollectingSink()
    poller = ModbusPoller(s.modbus[0], s.probes, clock, sink)
    async with ModbusFrontend(s, FakeLab({"fast": 4.0, "slow": -20.0})), polling(poller):
        await eventually(lambda: count(sink, "slow") >= 3, "three slow polls")
    for probe, period in (("fast", 1.0), ("slow", 4.0)):
        at = [(r.ts - origin) / NS_PER_S for r in sink.for_probe(probe)]
        assert at[0] < period, at  # the first at once
        # The others just after a multiple of the period (by the request's round trip).
        assert all(t % period < 0.3 for t in at[1:]), (probe, at)
