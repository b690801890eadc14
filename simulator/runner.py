"""Runs a ``Lab`` in step with a ``Clock`` until cancelled, for the protocol front-ends.

The lab's simulated time follows ``clock.monotonic()`` (simulated seconds; a ``ScaledClock``
runs them faster than real time), always in whole steps of ``step_s`` so that a run is the
same sequence of ``advance`` calls as ``simulate_curve`` would make. When the loop was late
it catches up in several steps, at most ``max_steps_per_tick`` before it lets other tasks run,
so a slow host makes the lab lag rather than starve the servers that share its loop.
"""

from __future__ import annotations

import asyncio
import logging
import math

from monitor.clock import Clock
from simulator.lab import Lab

log = logging.getLogger(__name__)

# Real seconds between wake-ups at most speeds: frequent enough for fresh values, few
# enough that a 600x clock does not wake the loop a thousand times a second.
_MIN_REAL_TICK_S = 0.01


async def run_lab(
    lab: Lab, clock: Clock, step_s: float = 1.0, *, max_steps_per_tick: int = 1000
) -> None:
    """Advance ``lab`` as ``clock`` runs, until the task is cancelled."""
    if not (math.isfinite(step_s) and step_s > 0):
        raise ValueError(f"step must be a finite number of seconds > 0, got {step_s!r}")
    if max_steps_per_tick < 1:
        raise ValueError(f"max_steps_per_tick must be >= 1, got {max_steps_per_tick!r}")
    # The lab's time zero is where the clock stands now, minus any time the lab already ran.
    origin_s = clock.monotonic() - lab.sim_time_s
    tick_s = max(step_s, clock.speed * _MIN_REAL_TICK_S)
    lagging = False
    while True:
        behind_s = clock.monotonic() - origin_s - lab.sim_time_s
        steps = min(int(behind_s / step_s + 1e-9), max_steps_per_tick)
        for _ in range(steps):
            lab.advance(step_s)
        still_behind = clock.monotonic() - origin_s - lab.sim_time_s >= 2 * tick_s
        if still_behind != lagging:
            lagging = still_behind
            if lagging:
                log.warning("simulation is falling behind the clock at t=%.0f s", lab.sim_time_s)
            else:
                log.info("simulation has caught up with the clock at t=%.0f s", lab.sim_time_s)
        if still_behind:
            await asyncio.sleep(0)
        else:
            await clock.sleep(tick_s)
