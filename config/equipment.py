"""Pasteurisers and cold enclosures, with the probes that watch them, and the rules' settings.

Every default and every check of the rules lives in ``monitor.evaluation.params``: these
models take their defaults from there and are checked by building those parameters
(docs/RULES.md, Pasteurisation and Cold chain). Durations are in minutes here, in seconds
in the parameters.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from pydantic import Field, model_validator

from config.base import Identifier, Integer, Number, Strict
from config.parameters import MINUTE_S, check_as_parameters
from monitor.evaluation.lot_life import DEFAULT_POST_FLORA_MAX_CFU_ML
from monitor.evaluation.params import (
    BAND_DEFAULTS,
    DEFAULT_DEADBAND_C,
    DEFAULT_FLORA_LIMITS,
    DEFAULT_GAP_PERIODS,
    DEFAULT_HEATING_WATCH,
    DEFAULT_POLICY,
    DEFAULT_PROGRAMS,
    DEFAULT_SAMPLE_PERIOD_S,
    BandSpec,
    CyclePolicy,
    EnclosureKind,
    FloraLimits,
    HeatingWatchSpec,
    HoldPolicy,
    Program,
    gap_limit_for,
)

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
    unregistered_heating_c: Number = DEFAULT_HEATING_WATCH.threshold_c

    @model_validator(mode="after")
    def _roles(self) -> Pasteuriser:
        baths = [p.probe for p in self.probes if p.role == "bath"]
        if len(baths) > 1:
            raise ValueError(f"probes: one bath probe at most, got {', '.join(baths)}")
        if not baths and not self.reference_probes:
            raise ValueError("probes: needs a bath or a reference probe")
        return self

    @model_validator(mode="after")
    def _heating_threshold(self) -> Pasteuriser:
        watch = partial(HeatingWatchSpec, threshold_c=self.unregistered_heating_c)
        check_as_parameters(watch, {"threshold_c": "unregistered_heating_c"})
        return self

    @property
    def reference_probes(self) -> list[str]:
        return [p.probe for p in self.probes if p.role == "reference"]

    @property
    def bath_probe(self) -> str | None:
        return next((p.probe for p in self.probes if p.role == "bath"), None)


class Band(Strict):
    """The allowed temperature band; a freezer has no lower bound."""

    low: Number | None
    high: Number


def _kind_defaults(spec: BandSpec) -> dict[str, Any]:
    return {
        "band": {"low": spec.low_c, "high": spec.high_c},
        "delay_min": spec.delay_s / MINUTE_S,
        "gross_low": spec.gross_low_c,
        "gross_high": spec.gross_high_c,
    }


_KIND_DEFAULTS = {kind: _kind_defaults(spec) for kind, spec in BAND_DEFAULTS.items()}
_BAND_NAMES = {
    "low_c": "band.low",
    "high_c": "band.high",
    "delay_s": "delay_min",
    "gross_low_c": "gross_low",
    "gross_high_c": "gross_high",
}


class Enclosure(Strict):
    """A fridge or freezer with its band, alarm delay, gross limits and deadband."""

    id: Identifier
    name: str = ""
    kind: EnclosureKind
    probes: list[Identifier] = Field(min_length=1)
    band: Band
    delay_min: Number
    gross_low: Number | None
    gross_high: Number | None
    deadband_c: Number = DEFAULT_DEADBAND_C

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") in _KIND_DEFAULTS:
            return {**_KIND_DEFAULTS[data["kind"]], **data}
        return data

    @model_validator(mode="after")
    def _band_is_valid(self) -> Enclosure:
        spec = partial(
            BandSpec,
            self.kind,
            self.band.low,
            self.band.high,
            self.delay_s,
            self.gross_low,
            self.gross_high,
            self.deadband_c,
        )
        check_as_parameters(spec, _BAND_NAMES)
        return self

    @property
    def delay_s(self) -> float:
        return self.delay_min * MINUTE_S


class ProgramSettings(Strict):
    """A pasteurisation program: hold at or above the setpoint for the hold time.

    A program is checked under its name, by ``check_program``: the settings root does it.
    """

    setpoint_c: Number
    hold_min: Number
    max_total_flora_cfu_ml: Number


def check_program(name: str, program: ProgramSettings) -> None:
    """Refuse ``program`` unless the rules accept it as ``Program(name, ...)``."""
    build = partial(
        Program,
        name,
        program.setpoint_c,
        program.hold_min * MINUTE_S,
        program.max_total_flora_cfu_ml,
    )
    check_as_parameters(build, {"hold_s": "hold_min"})


def default_programs() -> dict[str, ProgramSettings]:
    """The rules' ``DEFAULT_PROGRAMS`` (holder58 and holder63), as settings."""
    return {
        p.name: ProgramSettings(
            setpoint_c=p.setpoint_c,
            hold_min=p.hold_s / MINUTE_S,
            max_total_flora_cfu_ml=p.max_total_flora_cfu_ml,
        )
        for p in DEFAULT_PROGRAMS
    }


class PasteurisationRules(Strict):
    """How cycles are judged; the defaults are the rules' (``CyclePolicy``, ``FloraLimits``)."""

    hold_policy: HoldPolicy = DEFAULT_POLICY.hold_policy
    gap_periods: Integer = DEFAULT_GAP_PERIODS
    overshoot_margin_c: Number = DEFAULT_POLICY.overshoot_margin_c
    come_up_limit_min: Number = DEFAULT_POLICY.come_up_limit_s / MINUTE_S
    cooling_target_c: Number = DEFAULT_POLICY.cooling_target_c
    cooling_limit_min: Number = DEFAULT_POLICY.cooling_limit_s / MINUTE_S
    settle_min: Number = DEFAULT_POLICY.settle_s / MINUTE_S
    cooling_fail_margin_c: Number = DEFAULT_POLICY.cooling_fail_margin_c
    destroy_above_total_flora_cfu_ml: Number = DEFAULT_FLORA_LIMITS.destroy_above_total_flora_cfu_ml
    destroy_above_s_aureus_cfu_ml: Number = DEFAULT_FLORA_LIMITS.destroy_above_s_aureus_cfu_ml
    # A control after pasteurisation above this total flora is positive (docs/RULES.md, L9).
    post_flora_max_cfu_ml: Number = Field(default=DEFAULT_POST_FLORA_MAX_CFU_ML, ge=0)

    @model_validator(mode="after")
    def _rules_are_valid(self) -> PasteurisationRules:
        # The gap limit is counted in periods of each pasteuriser's own probes: any period
        # checks the count.
        check_as_parameters(partial(gap_limit_for, DEFAULT_SAMPLE_PERIOD_S, self.gap_periods))
        policy = partial(
            CyclePolicy,
            hold_policy=self.hold_policy,
            overshoot_margin_c=self.overshoot_margin_c,
            come_up_limit_s=self.come_up_limit_min * MINUTE_S,
            cooling_target_c=self.cooling_target_c,
            cooling_limit_s=self.cooling_limit_min * MINUTE_S,
            settle_s=self.settle_min * MINUTE_S,
            cooling_fail_margin_c=self.cooling_fail_margin_c,
        )
        names = {
            "come_up_limit_s": "come_up_limit_min",
            "cooling_limit_s": "cooling_limit_min",
            "settle_s": "settle_min",
        }
        check_as_parameters(policy, names)
        limits = partial(
            FloraLimits,
            self.destroy_above_total_flora_cfu_ml,
            self.destroy_above_s_aureus_cfu_ml,
        )
        check_as_parameters(limits)
        return self
