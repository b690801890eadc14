"""A water-bath pasteuriser: heater, bath, bottles lagging the bath, then chilled-water cooling.

The shape follows real Holder curves (docs/RULES.md, Pasteurisation): when a cycle starts, the
rack of bottles fresh from the fridge goes into a bath filled from a preheated hot-water tank;
the bath dips as the cold load soaks up heat and the PI-controlled heater brings it back a
little above the setpoint. Each bottle core follows the bath as a first-order lag whose time
constant grows with its fill; the reference bottle (the probe in a full bottle of milk) is the
slowest, so it is the coldest milk while heating. The device's own timer counts the hold from
the moment the reference reaches the setpoint, and runs for the program's hold time plus a
margin (``hold_margin_s``, 5 min: a ~35-min plateau for a 30-min hold, as on real curves); then
chilled water flows through the bath until the reference is cold, and the pasteuriser idles.

The device only runs its program: it does not judge the cycle. A dip during the hold (a failed
heater) does not restart its timer; proving the hold is the monitor's job.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

from simulator.models.heater import PiHeater
from simulator.models.thermal import equilibrium, lag_factor, relax


class PasteuriserPhase(StrEnum):
    """What the pasteuriser's program is doing."""

    IDLE = "idle"
    HEATING = "heating"
    HOLDING = "holding"
    COOLING = "cooling"


@dataclass(frozen=True, slots=True)
class PasteuriserParams:
    """Physical constants of one pasteuriser; the defaults give the real curves of docs/RULES.md.

    A 15-litre bath with its tank walls (~70 kJ/K) loses ~12 W/K to the room; a 3 kW heater;
    full bottles of ~220 mL of milk (~0.9 kJ/K each) with a core time constant of ~5 min in a
    stirred bath; chilled water at 1.5 °C that would cool the bath with a 2-minute time constant.
    """

    bottles: int = 20
    heater_power_w: float = 3000.0
    bath_heat_capacity_j_per_k: float = 70_000.0
    bath_loss_w_per_k: float = 12.0
    bath_offset_c: float = 0.5
    fill_extra_c: float = 2.0
    controller_band_c: float = 2.0
    controller_integral_s: float = 300.0
    bottle_heat_capacity_j_per_k: float = 900.0
    reference_tau_s: float = 310.0
    smallest_fill: float = 0.6
    load_c: float = 4.0
    chilled_water_c: float = 1.5
    chilling_tau_s: float = 120.0
    cooling_end_c: float = 4.0
    # Real programs hold a few minutes past the legal minimum (docs/RULES.md: ~35 min plateaus
    # for a 30-min hold) so that probe noise and sampling cannot break the proof.
    hold_margin_s: float = 300.0

    def __post_init__(self) -> None:
        if self.hold_margin_s < 0:
            raise ValueError(f"hold margin must be >= 0 s, got {self.hold_margin_s!r}")
        if self.bottles < 1:
            raise ValueError(f"a pasteuriser holds at least 1 bottle, got {self.bottles}")
        if not 0 < self.smallest_fill <= 1:
            raise ValueError(f"smallest_fill must be in (0, 1], got {self.smallest_fill!r}")
        for name in (
            "heater_power_w",
            "bath_heat_capacity_j_per_k",
            "bath_loss_w_per_k",
            "bottle_heat_capacity_j_per_k",
            "reference_tau_s",
            "chilling_tau_s",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")


@dataclass(frozen=True, slots=True)
class PasteuriserInputs:
    """What faults do to the pasteuriser during one step (the defaults: nothing wrong)."""

    heater_works: bool = True
    chilling_flow_fraction: float = 1.0
    chilled_water_c: float | None = None


NORMAL_INPUTS = PasteuriserInputs()


@dataclass(frozen=True, slots=True)
class PasteuriserStatus:
    """The program state a pasteuriser's own display (or its Modbus registers) would show."""

    phase: PasteuriserPhase
    setpoint_c: float | None
    hold_s: float | None
    hold_elapsed_s: float
    heater_power_w: float
    cycles_started: int


class PasteuriserModel:
    """One pasteuriser; ``step`` advances it, the properties read its true temperatures."""

    def __init__(self, params: PasteuriserParams, room_c: float, rng: random.Random) -> None:
        self._params = params
        self._room_c = room_c
        self._rng = rng
        self._heater = PiHeater(
            params.heater_power_w, params.controller_band_c, params.controller_integral_s
        )
        self._phase = PasteuriserPhase.IDLE
        self._setpoint_c: float | None = None
        self._hold_s: float | None = None
        self._hold_elapsed_s = 0.0
        self._power_w = 0.0
        self._cycles = 0
        # Before the first cycle the bottles wait in the fridge, out of the bath.
        self._loaded = False
        self._bath_c = room_c
        self._bottle_c = [params.load_c] * params.bottles
        self._capacities: list[float] = []
        self._taus: list[float] = []
        self._draw_bottles()
        self._factors_dt: float | None = None
        self._factors: list[float] = []

    def _draw_bottles(self) -> None:
        """Give this batch its fills; bottle 0 (the reference) is full, hence the slowest."""
        p = self._params
        fills = [1.0] + [self._rng.uniform(p.smallest_fill, 1.0) for _ in range(p.bottles - 1)]
        self._capacities = [p.bottle_heat_capacity_j_per_k * f for f in fills]
        # A part-filled bottle has less milk per area of wall: it follows the bath faster.
        self._taus = [p.reference_tau_s * (0.75 + 0.25 * f) for f in fills]
        self._factors_dt = None

    @property
    def params(self) -> PasteuriserParams:
        return self._params

    @property
    def phase(self) -> PasteuriserPhase:
        return self._phase

    @property
    def bath_c(self) -> float:
        return self._bath_c

    @property
    def reference_c(self) -> float:
        return self._bottle_c[0]

    def bottle_c(self, index: int) -> float:
        """Core temperature of bottle ``index`` (0 is the reference bottle)."""
        return self._bottle_c[index]

    def bottle_time_constants_s(self) -> list[float]:
        """The current batch's core time constants, reference first."""
        return list(self._taus)

    def status(self) -> PasteuriserStatus:
        return PasteuriserStatus(
            phase=self._phase,
            setpoint_c=self._setpoint_c,
            hold_s=self._hold_s,
            hold_elapsed_s=self._hold_elapsed_s,
            heater_power_w=self._power_w,
            cycles_started=self._cycles,
        )

    def start_cycle(self, setpoint_c: float, hold_s: float) -> None:
        """Load a fresh batch from the fridge into a bath filled from the hot tank."""
        if self._phase is not PasteuriserPhase.IDLE:
            raise RuntimeError(
                f"a cycle can start only when idle; the pasteuriser is {self._phase}"
            )
        if not (math.isfinite(setpoint_c) and 40.0 <= setpoint_c <= 90.0):
            raise ValueError(f"setpoint must be within 40..90 °C, got {setpoint_c!r}")
        if not (math.isfinite(hold_s) and hold_s > 0):
            raise ValueError(f"hold time must be > 0 s, got {hold_s!r}")
        p = self._params
        self._setpoint_c = setpoint_c
        self._hold_s = hold_s
        self._hold_elapsed_s = 0.0
        self._cycles += 1
        if self._cycles > 1:
            self._draw_bottles()
        self._loaded = True
        self._bottle_c = [p.load_c] * p.bottles
        self._bath_c = setpoint_c + p.bath_offset_c + p.fill_extra_c
        self._heater.reset()
        self._phase = PasteuriserPhase.HEATING

    def step(self, dt_s: float, inputs: PasteuriserInputs = NORMAL_INPUTS) -> None:
        """Advance ``dt_s`` seconds (keep it to a few seconds: the coupling is explicit)."""
        p = self._params
        phase = self._phase
        power_w = 0.0
        chill_w_per_k = 0.0
        water_c = p.chilled_water_c
        if phase in (PasteuriserPhase.HEATING, PasteuriserPhase.HOLDING):
            assert self._setpoint_c is not None
            target_c = self._setpoint_c + p.bath_offset_c
            demand = self._heater.demand_w(target_c - self._bath_c, dt_s)
            power_w = demand if inputs.heater_works else 0.0
        elif phase is PasteuriserPhase.COOLING:
            full_w_per_k = p.bath_heat_capacity_j_per_k / p.chilling_tau_s
            chill_w_per_k = full_w_per_k * inputs.chilling_flow_fraction
            if inputs.chilled_water_c is not None:
                water_c = inputs.chilled_water_c
        self._power_w = power_w
        absorbed_j = self._step_bottles(dt_s) if self._loaded else 0.0
        links = ((p.bath_loss_w_per_k, self._room_c), (chill_w_per_k, water_c))
        bath_eq = equilibrium(links, power_w)
        tau = p.bath_heat_capacity_j_per_k / (p.bath_loss_w_per_k + chill_w_per_k)
        self._bath_c = relax(self._bath_c, bath_eq, lag_factor(dt_s, tau))
        self._bath_c -= absorbed_j / p.bath_heat_capacity_j_per_k
        self._advance_program(dt_s)

    def _step_bottles(self, dt_s: float) -> float:
        """Move every bottle toward the bath; return the heat they took from it (J)."""
        if self._factors_dt != dt_s:
            self._factors = [lag_factor(dt_s, tau) for tau in self._taus]
            self._factors_dt = dt_s
        bath = self._bath_c
        temps = self._bottle_c
        absorbed = 0.0
        for i, (factor, capacity) in enumerate(zip(self._factors, self._capacities, strict=True)):
            new = bath + (temps[i] - bath) * factor
            absorbed += capacity * (new - temps[i])
            temps[i] = new
        return absorbed

    def _advance_program(self, dt_s: float) -> None:
        phase = self._phase
        if phase is PasteuriserPhase.HEATING:
            assert self._setpoint_c is not None
            if self.reference_c >= self._setpoint_c:
                self._phase = PasteuriserPhase.HOLDING
        elif phase is PasteuriserPhase.HOLDING:
            assert self._hold_s is not None
            self._hold_elapsed_s += dt_s
            if self._hold_elapsed_s >= self._hold_s + self._params.hold_margin_s:
                self._phase = PasteuriserPhase.COOLING
        elif phase is PasteuriserPhase.COOLING and self.reference_c <= self._params.cooling_end_c:
            self._phase = PasteuriserPhase.IDLE
