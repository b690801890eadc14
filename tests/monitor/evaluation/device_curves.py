"""Curves shaped as real devices send them, generated at a chosen period for the core.

- ``WaterBath``: a holder63 cycle after Buffin et al. 2017 (J Hum Lact; docs/RULES.md,
  Pasteurisation, P12): milk from the fridge (4 °C) reaches 58 °C in 12.5 min; the
  pasteuriser's own controller holds a plateau at setpoint + 0.35 °C ± 0.3 °C for its
  program and a 5-min margin (35 min from its own crossing of the setpoint), then chilled
  water cools the milk. The probe is served in tenths (an int16 register with a scale of
  0.1) with ±0.04 °C of noise, so the milk levels off as 63.0, 62.9, 63.0 when it arrives.
- ``Air``: the air of a fridge or freezer, a first-order lag towards whatever drives it (the
  compressor, the room through an open door, a defrost heater), simulated every second.

Readings are stamped in seconds from the start (``curves.at``); after each poll the monitor
ticks, as the service does, so silence is seen as silence.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from monitor.evaluation import Input, Tick
from monitor.reading import Quality, Reading
from simulator.models.probe import quantise
from tests.monitor.evaluation.curves import S, at

OPEN_CIRCUIT_C = 3276.7  # a PT100 transmitter's int16 tenths 32767


@dataclass(frozen=True)
class WaterBath:
    """The true temperature of the reference bottle through one cycle, and its readings."""

    setpoint_c: float = 63.0
    load_c: float = 4.0
    to_58_s: float = 12.5 * 60
    hold_s: float = 35 * 60.0  # the device's program (30 min) and its margin (5 min)
    water_c: float = 1.5
    cool_tau_s: float = 412.0  # below 6 °C ~18 min after the hold, as on real curves
    seed: int = 1

    @property
    def plateau_c(self) -> float:
        return self.setpoint_c + 0.35

    @property
    def tau_s(self) -> float:
        """The milk's lag behind the bath: 58 °C at ``to_58_s``."""
        return self.to_58_s / math.log((self.plateau_c - self.load_c) / (self.plateau_c - 58.0))

    def _come_up_s(self, value_c: float) -> float:
        return self.tau_s * math.log((self.plateau_c - self.load_c) / (self.plateau_c - value_c))

    @property
    def crossing_s(self) -> float:
        """When the device's own probe reaches the setpoint: its hold timer starts."""
        return self._come_up_s(self.setpoint_c)

    @property
    def cooling_s(self) -> float:
        """When the device lets chilled water in."""
        return self.crossing_s + self.hold_s

    def true_c(self, t_s: float) -> float:
        plateau_from = self._come_up_s(self.plateau_c - 0.3)  # the plateau's lowest point
        if t_s < plateau_from:
            return self.plateau_c - (self.plateau_c - self.load_c) * math.exp(-t_s / self.tau_s)
        if t_s < self.cooling_s:
            return self.plateau_c - 0.3 * math.cos(2 * math.pi * (t_s - plateau_from) / 600)
        start_c = self.true_c(self.cooling_s - 1e-9)
        lag = math.exp(-(t_s - self.cooling_s) / self.cool_tau_s)
        return self.water_c + (start_c - self.water_c) * lag

    def inputs(self, period_s: float, end_s: float, probe: str = "ref") -> list[Input]:
        """The probe read every ``period_s`` from 0 to ``end_s``, in tenths, each poll ticked."""
        noise = random.Random(self.seed)
        out: list[Input] = []
        for k in range(int(end_s / period_s) + 1):
            t = k * period_s
            value = quantise(self.true_c(t) + noise.uniform(-0.04, 0.04), 0.1)
            out += [at(t, value, probe), Tick(round(t * S))]
        return out


@dataclass(frozen=True)
class Air:
    """Air following what drives it, read with a little noise, to the hundredth.

    ``drive(t)`` is the temperature the air tends to at ``t`` s and the time constant of that
    approach (s): a door left open pulls it fast to the room's mix, a stopped compressor
    lets it drift slowly.
    """

    drive: Callable[[float], tuple[float, float]]
    start_c: float
    seed: int = 2

    def inputs(self, period_s: float, end_s: float, probe: str = "air") -> list[Input]:
        noise = random.Random(self.seed)
        value, out = self.start_c, []
        every = max(1, round(period_s))
        for t in range(int(end_s) + 1):
            target_c, tau_s = self.drive(t)
            value += (target_c - value) * (1 - math.exp(-1.0 / tau_s))
            if t % every == 0:
                out += [at(t, round(value + noise.gauss(0.0, 0.03), 2), probe), Tick(t * S)]
        return out


# -- what goes wrong, applied to generated inputs ------------------------------------------


def _within(item: Input, start_s: float, end_s: float) -> bool:
    return isinstance(item, Reading) and start_s * S <= item.ts < end_s * S


def replaced(inputs: Iterable[Input], start_s: float, end_s: float, value: float) -> list[Input]:
    """Readings in ``[start_s, end_s)`` read ``value`` instead (a dip, a plateau)."""
    out: list[Input] = []
    for i in inputs:
        if isinstance(i, Reading) and _within(i, start_s, end_s):
            i = Reading(i.probe_id, i.ts, value, i.quality)
        out.append(i)
    return out


def silent(inputs: Iterable[Input], start_s: float, end_s: float) -> list[Input]:
    """No reading in ``[start_s, end_s)``: the probe does not answer; the clock still ticks."""
    return [i for i in inputs if not _within(i, start_s, end_s)]


def open_circuit(inputs: Iterable[Input], start_s: float, end_s: float) -> list[Input]:
    """Readings in ``[start_s, end_s)`` are the open-circuit sentinel, as the driver flags it."""
    out: list[Input] = []
    for i in inputs:
        if isinstance(i, Reading) and _within(i, start_s, end_s):
            detail = f"fault value {OPEN_CIRCUIT_C:g}"
            i = Reading(i.probe_id, i.ts, OPEN_CIRCUIT_C, Quality.FAULT, OPEN_CIRCUIT_C, detail)
        out.append(i)
    return out
