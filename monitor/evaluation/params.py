"""Parameters of the evaluation rules: plain frozen values, DOMAIN.md defaults, units in names.

The config layer builds these from the settings file; every number is a setting a site may
change (DOMAIN.md: "Numbers are defaults; each one is a setting a site can change"). Each
constructor checks its values and names the one that is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

HoldPolicy = Literal["restart", "fail"]
EnclosureKind = Literal["fridge", "freezer"]


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _positive(name: str, value: object) -> float:
    number = _finite(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return number


def _not_negative(name: str, value: object) -> float:
    number = _finite(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class Program:
    """A pasteurisation program: hold at or above ``setpoint_c`` for ``hold_s`` seconds.

    A lot may be treated by the program only if its pre-pasteurisation total flora is at most
    ``max_total_flora_cfu_ml`` (DOMAIN.md, Pasteurisation: ``holder58`` 58 °C / 60 min for
    <= 10^4 CFU/mL, ``holder63`` 63 °C / 30 min for <= 10^5 CFU/mL; Arrêté 10 Feb 1995 VII).
    """

    name: str
    setpoint_c: float
    hold_s: float
    max_total_flora_cfu_ml: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"program name must be a non-empty string, got {self.name!r}")
        setpoint = _finite(f"program {self.name}: setpoint_c", self.setpoint_c)
        if not 0 < setpoint < 100:
            raise ValueError(f"program {self.name}: setpoint_c must lie in 0..100, got {setpoint}")
        _positive(f"program {self.name}: hold_s", self.hold_s)
        _positive(f"program {self.name}: max_total_flora_cfu_ml", self.max_total_flora_cfu_ml)


HOLDER58 = Program("holder58", setpoint_c=58.0, hold_s=60 * 60.0, max_total_flora_cfu_ml=1e4)
HOLDER63 = Program("holder63", setpoint_c=63.0, hold_s=30 * 60.0, max_total_flora_cfu_ml=1e5)
DEFAULT_PROGRAMS: tuple[Program, ...] = (HOLDER58, HOLDER63)


@dataclass(frozen=True, slots=True)
class FloraLimits:
    """Counts above which a lot is destroyed instead of pasteurised.

    DOMAIN.md, Pasteurisation: total flora > 10^5 CFU/mL or S. aureus > 10^4 CFU/mL
    (Arrêté 10 Feb 1995 VI–VII; NICE CG93).
    """

    destroy_above_total_flora_cfu_ml: float = 1e5
    destroy_above_s_aureus_cfu_ml: float = 1e4

    def __post_init__(self) -> None:
        _positive("destroy_above_total_flora_cfu_ml", self.destroy_above_total_flora_cfu_ml)
        _positive("destroy_above_s_aureus_cfu_ml", self.destroy_above_s_aureus_cfu_ml)


def gap_limit_for(sample_period_s: float, periods: int = 3) -> float:
    """The longest silence a hold tolerates: ``periods`` sample periods (DOMAIN.md, default 3)."""
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise ValueError(f"periods must be an integer >= 1, got {periods!r}")
    return _positive("sample_period_s", sample_period_s) * periods


@dataclass(frozen=True, slots=True)
class CyclePolicy:
    """How a pasteurisation cycle is judged (DOMAIN.md, Pasteurisation; defaults from there).

    - ``hold_policy``: after a dip or a gap, ``restart`` the hold timer from zero, or ``fail``.
    - ``gap_limit_s``: a silence longer than this during the hold counts as a dip (3 sample
      periods of 10 s by default; see ``gap_limit_for``).
    - ``overshoot_margin_c``: alarm above setpoint + 3 °C (EMBA / Front. Pediatr. 2022).
    - ``come_up_limit_s``: the setpoint must be reached within 90 min of the start, and again
      within the same time after a hold interruption.
    - ``cooling_target_c`` / ``cooling_limit_s``: milk below 6 °C within 60 min of the end of
      the hold (Arrêté 1995 VII; Décret 55-771 art. 6).
    - ``inspection_mark_c``: the temperature whose come-up time and total time above an
      inspector reads on the curve (58 °C; Buffin et al. 2017; EMBA 2019).
    """

    hold_policy: HoldPolicy = "restart"
    gap_limit_s: float = 30.0
    overshoot_margin_c: float = 3.0
    come_up_limit_s: float = 90 * 60.0
    cooling_target_c: float = 6.0
    cooling_limit_s: float = 60 * 60.0
    inspection_mark_c: float = 58.0

    def __post_init__(self) -> None:
        if self.hold_policy not in ("restart", "fail"):
            raise ValueError(f"hold_policy must be 'restart' or 'fail', got {self.hold_policy!r}")
        _positive("gap_limit_s", self.gap_limit_s)
        _positive("overshoot_margin_c", self.overshoot_margin_c)
        _positive("come_up_limit_s", self.come_up_limit_s)
        _finite("cooling_target_c", self.cooling_target_c)
        _positive("cooling_limit_s", self.cooling_limit_s)
        _finite("inspection_mark_c", self.inspection_mark_c)


@dataclass(frozen=True, slots=True)
class BandSpec:
    """The allowed band of a fridge or freezer and when an excursion becomes an alarm.

    DOMAIN.md, Cold chain: fridge 0..+4 °C, alarm after 10 min, at once above 8 °C or below
    0 °C; freezer <= -18 °C (no lower bound), alarm after 20 min, at once above -10 °C; a
    0.5 °C deadband on the way back (Arrêté 1995 V, VI, VIII; Arrêté 13 Jul 2012 art. 5).
    Bounds are inclusive: 4.0 °C is in a 0..4 °C band, 4.01 °C is not.
    """

    kind: EnclosureKind
    low_c: float | None
    high_c: float
    delay_s: float
    gross_low_c: float | None
    gross_high_c: float | None
    deadband_c: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in ("fridge", "freezer"):
            raise ValueError(f"kind must be 'fridge' or 'freezer', got {self.kind!r}")
        high = _finite("high_c", self.high_c)
        low = None if self.low_c is None else _finite("low_c", self.low_c)
        _not_negative("delay_s", self.delay_s)
        deadband = _not_negative("deadband_c", self.deadband_c)
        if low is not None and low > high:
            raise ValueError(f"low_c {low:g} > high_c {high:g}")
        if low is not None and 2 * deadband >= high - low and deadband > 0:
            raise ValueError(
                f"deadband_c {deadband:g} leaves no room to come back into {low:g}..{high:g} °C"
            )
        if self.gross_high_c is not None and _finite("gross_high_c", self.gross_high_c) < high:
            raise ValueError(f"gross_high_c {self.gross_high_c:g} lies inside the band")
        if self.gross_low_c is not None:
            gross_low = _finite("gross_low_c", self.gross_low_c)
            if low is None or gross_low > low:
                raise ValueError(f"gross_low_c {gross_low:g} lies inside the band")

    @classmethod
    def fridge(cls) -> BandSpec:
        """DOMAIN.md defaults for a fridge: 0..+4 °C, 10 min, gross > 8 °C or < 0 °C."""
        return cls("fridge", 0.0, 4.0, 10 * 60.0, gross_low_c=0.0, gross_high_c=8.0)

    @classmethod
    def freezer(cls) -> BandSpec:
        """DOMAIN.md defaults for a freezer: <= -18 °C, 20 min, gross > -10 °C."""
        return cls("freezer", None, -18.0, 20 * 60.0, gross_low_c=None, gross_high_c=-10.0)


@dataclass(frozen=True, slots=True)
class ProbeHealthSpec:
    """When a probe is stale, stuck or overdue for calibration (DOMAIN.md, Cold chain).

    - stale: no reading at all for more than ``stale_periods`` sample periods ("no data for
      3 sample periods"; a silent probe is an alarm of its own);
    - stuck: the identical value for ``stuck_after_s`` seconds or more (None: not checked);
    - calibration overdue: after ``calibration_due_ns`` (UTC ns; None: no due date known).
    """

    sample_period_s: float
    stale_periods: int = 3
    stuck_after_s: float | None = None
    calibration_due_ns: int | None = None

    def __post_init__(self) -> None:
        gap_limit_for(self.sample_period_s, self.stale_periods)
        if self.stuck_after_s is not None:
            _positive("stuck_after_s", self.stuck_after_s)
        due = self.calibration_due_ns
        if due is not None and (isinstance(due, bool) or not isinstance(due, int)):
            raise ValueError(f"calibration_due_ns must be integer nanoseconds, got {due!r}")

    @property
    def stale_after_s(self) -> float:
        return self.sample_period_s * self.stale_periods


@dataclass(frozen=True, slots=True)
class HeatingWatchSpec:
    """When a pasteuriser with no cycle running is heating: above ``threshold_c`` (45 °C).

    The episode ends once every probe is back at or below ``threshold_c - deadband_c``, so a
    bath idling near the threshold does not flap.
    """

    threshold_c: float = 45.0
    deadband_c: float = 2.0

    def __post_init__(self) -> None:
        _finite("threshold_c", self.threshold_c)
        _not_negative("deadband_c", self.deadband_c)
