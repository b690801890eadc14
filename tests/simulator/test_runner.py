"""The async runner keeps the lab in step with a (scaled) clock and cancels cleanly."""

from __future__ import annotations

import asyncio
import time

import pytest

from monitor.clock import ScaledClock
from simulator.lab import Lab
from simulator.runner import run_lab
from simulator.scenario import load_shipped_scenario


class ManualClock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        return int(self.now * 1e9)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_lab_follows_a_600x_clock() -> None:
    lab = Lab(load_shipped_scenario("normal-day"))
    clock = ScaledClock(speed=600)
    started = time.monotonic()
    task = asyncio.create_task(run_lab(lab, clock, step_s=1.0), name="lab-runner")
    await asyncio.sleep(0.3)
    real_s = time.monotonic() - started
    simulated_s = lab.sim_time_s
    await _stop(task)
    assert simulated_s <= clock.monotonic()  # never ahead of the clock
    assert simulated_s == int(simulated_s)  # whole steps only
    # Loose: between a third of 600x and 600x (plus one tick) of the real time elapsed.
    assert 0.3 * 600 / 3 <= simulated_s <= real_s * 600 + 10
    frozen = lab.sim_time_s
    await asyncio.sleep(0.05)
    assert lab.sim_time_s == frozen  # nothing runs after cancellation


async def test_catching_up_is_bounded_per_tick() -> None:
    lab = Lab(load_shipped_scenario("defrost"))
    clock = ManualClock()
    task = asyncio.create_task(run_lab(lab, clock, 1.0, max_steps_per_tick=100), name="lab")
    await asyncio.sleep(0)
    assert lab.sim_time_s == 0.0
    clock.now = 2500.0
    await asyncio.sleep(0)  # exactly one turn of the runner
    assert lab.sim_time_s == 100.0
    for _ in range(100):
        if lab.sim_time_s == 2500.0:
            break
        await asyncio.sleep(0)
    assert lab.sim_time_s == 2500.0
    clock.now = 2500.5
    await asyncio.sleep(0)
    assert lab.sim_time_s == 2500.0  # half a step is not a step
    await _stop(task)


async def test_a_lab_that_already_ran_continues_from_its_own_time() -> None:
    lab = Lab(load_shipped_scenario("defrost"))
    lab.advance(600.0)
    clock = ManualClock()
    clock.now = 50.0
    task = asyncio.create_task(run_lab(lab, clock, 2.0), name="lab")
    await asyncio.sleep(0)
    clock.now = 60.0
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert lab.sim_time_s == 610.0
    await _stop(task)


@pytest.mark.parametrize(("step", "limit"), [(0.0, 10), (float("nan"), 10), (1.0, 0)])
async def test_bad_settings_are_refused(step: float, limit: int) -> None:
    lab = Lab(load_shipped_scenario("defrost"))
    with pytest.raises(ValueError, match="must be"):
        await run_lab(lab, ManualClock(), step, max_steps_per_tick=limit)
