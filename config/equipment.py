"""Pasteurisers and cold enclosures, with the probes that watch them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from config.base import Celsius, Identifier, PositiveSeconds, Strict

ProbeRole = Literal["bath", "reference", "bottle"]


class PasteuriserProbe(Strict):
    """A probe of a pasteuriser and what it measures: the bath water or milk in a bottle."""

    probe: Identifier
    role: ProbeRole


class Pasteuriser(Strict):
    """A water-bath pasteuriser; its hold is judged on the reference (milk) probes."""

    id: Identifier
    name: str = ""
    probes: list[PasteuriserProbe] = Field(min_length=1)
    unregistered_heating_c: Celsius = 45.0

    @model_validator(mode="after")
    def _roles(self) -> Pasteuriser:
        baths = [p.probe for p in self.probes if p.role == "bath"]
        if len(baths) > 1:
            raise ValueError(f"probes: one bath probe at most, got {', '.join(baths)}")
        if not baths and not self.reference_probes:
            raise ValueError("probes: needs a bath or a reference probe")
        return self

    @property
    def reference_probes(self) -> list[str]:
        return [p.probe for p in self.probes if p.role == "reference"]

    @property
    def bath_probe(self) -> str | None:
        return next((p.probe for p in self.probes if p.role == "bath"), None)


class Band(Strict):
    """The allowed temperature band; a freezer has no lower bound."""

    low: Celsius | None
    high: Celsius

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.low is not None and self.low > self.high:
            raise ValueError(f"lower bound {self.low:g} > upper bound {self.high:g}")
        return self


# DOMAIN.md, cold chain: fridge 0..+4 °C alarmed after 10 min, at once above 8 °C or below
# 0 °C; freezer <= -18 °C alarmed after 20 min, at once above -10 °C.
_KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "fridge": {
        "band": {"low": 0.0, "high": 4.0},
        "delay_min": 10.0,
        "gross_low": 0.0,
        "gross_high": 8.0,
    },
    "freezer": {
        "band": {"low": None, "high": -18.0},
        "delay_min": 20.0,
        "gross_low": None,
        "gross_high": -10.0,
    },
}


class Enclosure(Strict):
    """A fridge or freezer with its band, alarm delay, gross limits and deadband."""

    id: Identifier
    name: str = ""
    kind: Literal["fridge", "freezer"]
    probes: list[Identifier] = Field(min_length=1)
    band: Band
    delay_min: float = Field(ge=0, le=24 * 60, allow_inf_nan=False)
    gross_low: Celsius | None
    gross_high: Celsius | None
    deadband_c: float = Field(default=0.5, ge=0, le=5, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") in _KIND_DEFAULTS:
            return {**_KIND_DEFAULTS[data["kind"]], **data}
        return data

    @model_validator(mode="after")
    def _limits_outside_band(self) -> Enclosure:
        if self.gross_high is not None and self.gross_high < self.band.high:
            raise ValueError(
                f"gross_high {self.gross_high:g} lies inside the band (high {self.band.high:g})"
            )
        low = self.band.low
        if self.gross_low is not None and low is not None and self.gross_low > low:
            raise ValueError(f"gross_low {self.gross_low:g} lies inside the band (low {low:g})")
        return self

    @property
    def delay_s(self) -> float:
        return self.delay_min * 60.0


class ProgramSettings(Strict):
    """A pasteurisation program: hold at or above the setpoint for the hold time."""

    setpoint_c: Celsius
    hold_min: float = Field(gt=0, le=600, allow_inf_nan=False)
    max_total_flora_cfu_ml: float = Field(gt=0, allow_inf_nan=False)


def default_programs() -> dict[str, ProgramSettings]:
    """DOMAIN.md: holder58 (58 °C, 60 min, flora <= 1e4) and holder63 (63 °C, 30 min, <= 1e5)."""
    return {
        "holder58": ProgramSettings(setpoint_c=58.0, hold_min=60, max_total_flora_cfu_ml=1e4),
        "holder63": ProgramSettings(setpoint_c=63.0, hold_min=30, max_total_flora_cfu_ml=1e5),
    }


class PasteurisationRules(Strict):
    """How cycles are judged; defaults from DOMAIN.md."""

    hold_policy: Literal["restart", "fail"] = "restart"
    gap_periods: int = Field(default=3, ge=1, le=100)
    overshoot_margin_c: float = Field(default=3.0, gt=0, le=20, allow_inf_nan=False)
    come_up_limit_min: float = Field(default=90.0, gt=0, le=600, allow_inf_nan=False)
    cooling_target_c: Celsius = 6.0
    cooling_limit_min: float = Field(default=60.0, gt=0, le=600, allow_inf_nan=False)
    destroy_above_total_flora_cfu_ml: float = Field(default=1e5, gt=0, allow_inf_nan=False)
    max_s_aureus_cfu_ml: float = Field(default=1e4, gt=0, allow_inf_nan=False)
    sample_period_s: PositiveSeconds = 1.0
