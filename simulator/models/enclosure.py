"""A fridge or a freezer: air and contents, a thermostat-driven compressor, door and defrost.

Two thermal nodes. The air (with the shelves, liner and evaporator: small heat capacity) is what
the probe measures; the contents (bottles of milk: large heat capacity) follow the air slowly
and pull it back after a disturbance. Heat leaks from the room through the insulation, much
faster through an open door; the compressor removes a fixed power while it runs, switched by a
thermostat on the air with hysteresis. Without power the compressor stops and the enclosure
warms slowly toward the room. A freezer's defrost heater warms the air for a few minutes
(``defrost.py``). Each node is updated with the exact exponential toward its equilibrium with
the other held constant, so every step is stable whatever its length.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulator.models.defrost import DefrostParams, DefrostTimer
from simulator.models.doors import RandomDoor
from simulator.models.thermal import equilibrium, lag_factor, relax


@dataclass(frozen=True, slots=True)
class EnclosureParams:
    """Physical constants of one enclosure; use ``fridge()`` or ``freezer()`` for sane values."""

    setpoint_c: float
    start_above_c: float
    stop_below_c: float
    air_heat_capacity_j_per_k: float
    contents_heat_capacity_j_per_k: float
    air_contents_w_per_k: float
    insulation_w_per_k: float
    door_w_per_k: float
    compressor_w: float
    door_openings_per_h: float = 0.0
    defrost: DefrostParams | None = None

    def __post_init__(self) -> None:
        for name in (
            "start_above_c",
            "stop_below_c",
            "air_heat_capacity_j_per_k",
            "contents_heat_capacity_j_per_k",
            "air_contents_w_per_k",
            "insulation_w_per_k",
            "door_w_per_k",
            "compressor_w",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.door_openings_per_h < 0:
            raise ValueError(f"door_openings_per_h must be >= 0, got {self.door_openings_per_h!r}")

    @classmethod
    def fridge(cls, setpoint_c: float = 3.0, door_openings_per_h: float = 0.0) -> EnclosureParams:
        """A ~300 L medical fridge holding ~30 kg of milk; the compressor cycles every ~15 min."""
        return cls(
            setpoint_c=setpoint_c,
            start_above_c=0.8,
            stop_below_c=0.8,
            air_heat_capacity_j_per_k=12_000.0,
            contents_heat_capacity_j_per_k=120_000.0,
            air_contents_w_per_k=6.0,
            insulation_w_per_k=2.0,
            door_w_per_k=60.0,
            compressor_w=90.0,
            door_openings_per_h=door_openings_per_h,
        )

    @classmethod
    def freezer(
        cls,
        setpoint_c: float = -20.0,
        defrost: DefrostParams | None = None,
        door_openings_per_h: float = 0.0,
    ) -> EnclosureParams:
        """A chest-size freezer holding ~60 kg of frozen milk, with an evaporator defrost."""
        return cls(
            setpoint_c=setpoint_c,
            start_above_c=1.0,
            stop_below_c=1.5,
            air_heat_capacity_j_per_k=5_000.0,
            contents_heat_capacity_j_per_k=126_000.0,
            air_contents_w_per_k=12.0,
            insulation_w_per_k=1.5,
            door_w_per_k=25.0,
            compressor_w=160.0,
            door_openings_per_h=door_openings_per_h,
            defrost=DefrostParams() if defrost is None else defrost,
        )


@dataclass(frozen=True, slots=True)
class EnclosureInputs:
    """What faults do to the enclosure during one step (the defaults: nothing wrong).

    ``door_opening`` is 0 (closed) to 1 (wide open); a door left ajar is a fraction.
    """

    door_opening: float = 0.0
    powered: bool = True


NORMAL_INPUTS = EnclosureInputs()


@dataclass(frozen=True, slots=True)
class EnclosureStatus:
    """What an enclosure's controller knows about itself."""

    compressor_on: bool
    door_opening: float
    defrosting: bool
    powered: bool
    defrosts_started: int


class EnclosureModel:
    """One fridge or freezer; ``step`` advances it, ``air_c`` is what its probe sees."""

    def __init__(self, params: EnclosureParams, room_c: float, rng: random.Random) -> None:
        self._params = params
        self._room_c = room_c
        # Start somewhere inside the thermostat band so that enclosures do not cycle in step.
        low = params.setpoint_c - params.stop_below_c
        high = params.setpoint_c + params.start_above_c
        self._air_c = rng.uniform(low, high)
        self._contents_c = params.setpoint_c
        self._compressor_on = rng.random() < 0.5
        self._door = RandomDoor(params.door_openings_per_h, rng)
        self._defrost = None if params.defrost is None else DefrostTimer(params.defrost)
        self._status = EnclosureStatus(self._compressor_on, 0.0, False, True, 0)
        self._contents_factor_dt: float | None = None
        self._contents_factor = 1.0

    @property
    def params(self) -> EnclosureParams:
        return self._params

    @property
    def air_c(self) -> float:
        return self._air_c

    @property
    def contents_c(self) -> float:
        return self._contents_c

    def status(self) -> EnclosureStatus:
        return self._status

    def step(self, t_s: float, dt_s: float, inputs: EnclosureInputs = NORMAL_INPUTS) -> None:
        """Advance from ``t_s`` by ``dt_s`` seconds under ``inputs``."""
        p = self._params
        opening = max(inputs.door_opening, 1.0 if self._door.is_open(t_s) else 0.0)
        defrosting = False
        if self._defrost is not None:
            # The defrost clock keeps running through a power cut; only its heater needs power.
            defrosting = self._defrost.update(t_s, self._air_c)
        if not inputs.powered or defrosting:
            self._compressor_on = False
        elif self._air_c > p.setpoint_c + p.start_above_c:
            self._compressor_on = True
        elif self._air_c < p.setpoint_c - p.stop_below_c:
            self._compressor_on = False
        power_w = -p.compressor_w if self._compressor_on else 0.0
        if defrosting and inputs.powered:
            assert p.defrost is not None
            power_w += p.defrost.heater_w
        leak_w_per_k = p.insulation_w_per_k + p.door_w_per_k * opening
        links = ((leak_w_per_k, self._room_c), (p.air_contents_w_per_k, self._contents_c))
        air_eq = equilibrium(links, power_w)
        tau = p.air_heat_capacity_j_per_k / (leak_w_per_k + p.air_contents_w_per_k)
        self._air_c = relax(self._air_c, air_eq, lag_factor(dt_s, tau))
        if self._contents_factor_dt != dt_s:
            contents_tau = p.contents_heat_capacity_j_per_k / p.air_contents_w_per_k
            self._contents_factor = lag_factor(dt_s, contents_tau)
            self._contents_factor_dt = dt_s
        self._contents_c = relax(self._contents_c, self._air_c, self._contents_factor)
        self._status = EnclosureStatus(
            compressor_on=self._compressor_on,
            door_opening=opening,
            defrosting=defrosting,
            powered=inputs.powered,
            defrosts_started=0 if self._defrost is None else self._defrost.count,
        )
