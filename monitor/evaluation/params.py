"""Parameters of the evaluation rules: plain frozen values, docs/RULES.md defaults, units in names.

This module is the one home of every default and every check of these parameters: the
settings of programs, pasteurisers, enclosures and the pasteurisation rules
(``config.equipment``) take their defaults from the constants here and are checked by
building these values, so a setting and its parameter cannot disagree. Every number is a
setting a site may change (docs/RULES.md: "Numbers are defaults; each one is a setting a
site can change"). Each constructor checks its values (with the checks of ``checks``) and
names the one that is wrong; the ceilings below are not rules, they catch a unit slip
(seconds typed where minutes are asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitor.evaluation.checks import (
    at_most,
    duration,
    finite,
    not_negative,
    positive,
    temperature,
    whole_periods,
)

HoldPolicy = Literal["restart", "fail"]
EnclosureKind = Literal["fridge", "freezer"]

MAX_PROGRAM_S = 600 * 60.0  # a hold, a come-up or a cooling limit: 10 h at most
MAX_DELAY_S = 24 * 3600.0
MAX_DEADBAND_C = 5.0
MAX_OVERSHOOT_MARGIN_C = 20.0
MAX_GAP_PERIODS = 100
MAX_STALE_PERIODS = 1000
DEFAULT_SAMPLE_PERIOD_S = 10.0
DEFAULT_GAP_PERIODS = 3
DEFAULT_STALE_PERIODS = 3
DEFAULT_DEADBAND_C = 0.5
DEFAULT_SETTLE_S = 120.0
MAX_SETTLE_S = 30 * 60.0
DEFAULT_COOLING_FAIL_MARGIN_C = 5.0
MAX_COOLING_FAIL_MARGIN_C = 20.0
# docs/RULES.md, Pasteurisation, P11: a come-up still short of the setpoint once this share
# of its limit is spent is a warning, while there is still time to act (the heater, the water).
COME_UP_WARNING_FRACTION = 0.5
# A reading vouches for the stale limit of a default probe (3 periods of 10 s, F4).
DEFAULT_COVERAGE_S = DEFAULT_STALE_PERIODS * DEFAULT_SAMPLE_PERIOD_S


@dataclass(frozen=True, slots=True)
class Program:
    """A pasteurisation program: hold at or above ``setpoint_c`` for ``hold_s`` seconds.

    A lot may be treated by the program only if its pre-pasteurisation total flora is at most
    ``max_total_flora_cfu_ml``. The presets (``PROGRAM_PRESETS``) are documented one by one
    below; docs/RULES.md, Pasteurisation, gives their sources.
    """

    name: str
    setpoint_c: float
    hold_s: float
    max_total_flora_cfu_ml: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"program name must be a non-empty string, got {self.name!r}")
        setpoint = finite(f"program {self.name}: setpoint_c", self.setpoint_c)
        if not 0 < setpoint < 100:
            raise ValueError(f"program {self.name}: setpoint_c must lie in 0..100, got {setpoint}")
        duration(f"program {self.name}: hold_s", self.hold_s, MAX_PROGRAM_S)
        positive(f"program {self.name}: max_total_flora_cfu_ml", self.max_total_flora_cfu_ml)


HOLDER58 = Program("holder58", setpoint_c=58.0, hold_s=60 * 60.0, max_total_flora_cfu_ml=1e4)
"""58 °C for 60 min, for lots of at most 10^4 CFU/mL (Arrêté 10 Feb 1995 VII)."""

HOLDER62_5 = Program("holder62_5", setpoint_c=62.5, hold_s=30 * 60.0, max_total_flora_cfu_ml=1e5)
"""The classic Holder method, 62.5 °C for 30 min (EMBA 2019; HMBANA; NICE CG93).

It may treat what ``holder63`` may treat: lots of at most 10^5 CFU/mL.
"""

HOLDER63 = Program("holder63", setpoint_c=63.0, hold_s=30 * 60.0, max_total_flora_cfu_ml=1e5)
"""63 °C for 30 min, for lots of at most 10^5 CFU/mL (Arrêté 10 Feb 1995 VII)."""

PROGRAM_PRESETS: dict[str, Program] = {p.name: p for p in (HOLDER58, HOLDER62_5, HOLDER63)}
# The programs a site has when its settings name none. holder62_5 is not among them: with the
# same flora ceiling and a lower setpoint, choose_program would prefer it to holder63.
DEFAULT_PROGRAMS: tuple[Program, ...] = (HOLDER58, HOLDER63)


@dataclass(frozen=True, slots=True)
class FloraLimits:
    """Counts above which a lot is destroyed instead of pasteurised.

    docs/RULES.md, Pasteurisation: total flora > 10^5 CFU/mL or S. aureus > 10^4 CFU/mL
    (Arrêté 10 Feb 1995 VI–VII; NICE CG93).
    """

    destroy_above_total_flora_cfu_ml: float = 1e5
    destroy_above_s_aureus_cfu_ml: float = 1e4

    def __post_init__(self) -> None:
        positive("destroy_above_total_flora_cfu_ml", self.destroy_above_total_flora_cfu_ml)
        positive("destroy_above_s_aureus_cfu_ml", self.destroy_above_s_aureus_cfu_ml)


def gap_limit_for(sample_period_s: float, periods: int = DEFAULT_GAP_PERIODS) -> float:
    """The longest silence a hold tolerates: ``periods`` sample periods (docs/RULES.md: 3)."""
    count = whole_periods("gap_periods", periods, MAX_GAP_PERIODS)
    return positive("sample_period_s", sample_period_s) * count


@dataclass(frozen=True, slots=True)
class CyclePolicy:
    """How a pasteurisation cycle is judged (docs/RULES.md, Pasteurisation; defaults from there).

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
    - ``settle_s``: dips within this time of the coldest milk probe's first crossing of the
      setpoint are the probe levelling off (63.0, 62.9, 63.0 in tenths): they restart the
      hold timer and are recorded, with no alarm and never a failure (docs/RULES.md, How the
      hold is read from real probes, H6; 120 s). Zero makes every dip an alarm.
    - ``cooling_fail_margin_c``: milk that falls below the setpoint minus this margin before
      a complete hold has cooled: the cycle fails at once (H7; 5 °C).
    """

    hold_policy: HoldPolicy = "restart"
    gap_limit_s: float = gap_limit_for(DEFAULT_SAMPLE_PERIOD_S, DEFAULT_GAP_PERIODS)
    overshoot_margin_c: float = 3.0
    come_up_limit_s: float = 90 * 60.0
    cooling_target_c: float = 6.0
    cooling_limit_s: float = 60 * 60.0
    inspection_mark_c: float = 58.0
    settle_s: float = DEFAULT_SETTLE_S
    cooling_fail_margin_c: float = DEFAULT_COOLING_FAIL_MARGIN_C

    def __post_init__(self) -> None:
        if self.hold_policy not in ("restart", "fail"):
            raise ValueError(f"hold_policy must be 'restart' or 'fail', got {self.hold_policy!r}")
        positive("gap_limit_s", self.gap_limit_s)
        margin = positive("overshoot_margin_c", self.overshoot_margin_c)
        at_most("overshoot_margin_c", margin, MAX_OVERSHOOT_MARGIN_C, "°C")
        duration("come_up_limit_s", self.come_up_limit_s, MAX_PROGRAM_S)
        temperature("cooling_target_c", self.cooling_target_c)
        duration("cooling_limit_s", self.cooling_limit_s, MAX_PROGRAM_S)
        temperature("inspection_mark_c", self.inspection_mark_c)
        duration("settle_s", self.settle_s, MAX_SETTLE_S, zero_allowed=True)
        margin = positive("cooling_fail_margin_c", self.cooling_fail_margin_c)
        at_most("cooling_fail_margin_c", margin, MAX_COOLING_FAIL_MARGIN_C, "°C")

    @property
    def come_up_warning_s(self) -> float:
        """Past this time from the start, a come-up short of the setpoint is a warning."""
        return self.come_up_limit_s * COME_UP_WARNING_FRACTION


DEFAULT_POLICY = CyclePolicy()
DEFAULT_FLORA_LIMITS = FloraLimits()


@dataclass(frozen=True, slots=True)
class BandSpec:
    """The allowed band of a fridge or freezer and when an excursion becomes an alarm.

    docs/RULES.md, Cold chain: fridge 0..+4 °C, alarm after 10 min, at once above 8 °C or
    below 0 °C; freezer <= -18 °C (no lower bound), alarm after 20 min, at once above -10 °C;
    a 0.5 °C deadband on the way back (Arrêté 1995 V, VI, VIII; Arrêté 13 Jul 2012 art. 5).
    Bounds are inclusive: 4.0 °C is in a 0..4 °C band, 4.01 °C is not.

    ``coverage_s`` is how long a usable reading vouches for the enclosure when no other
    reading of its probe follows: the probe's stale limit (stale periods × sample period; the
    slowest probe's, with several). Time no reading covers is unmeasured: it never brings an
    excursion closer to its alarm, and the records keep it apart (docs/RULES.md, Cold chain,
    C7; the stale alarm, F4, covers the silence).
    """

    kind: EnclosureKind
    low_c: float | None
    high_c: float
    delay_s: float
    gross_low_c: float | None
    gross_high_c: float | None
    deadband_c: float = DEFAULT_DEADBAND_C
    coverage_s: float = DEFAULT_COVERAGE_S

    def __post_init__(self) -> None:
        if self.kind not in ("fridge", "freezer"):
            raise ValueError(f"kind must be 'fridge' or 'freezer', got {self.kind!r}")
        high = temperature("high_c", self.high_c)
        low = None if self.low_c is None else temperature("low_c", self.low_c)
        duration("delay_s", self.delay_s, MAX_DELAY_S, zero_allowed=True)
        deadband = not_negative("deadband_c", self.deadband_c)
        at_most("deadband_c", deadband, MAX_DEADBAND_C, "°C")
        duration("coverage_s", self.coverage_s, MAX_DELAY_S)
        if low is not None and low > high:
            raise ValueError(f"low_c {low:g} > high_c {high:g}")
        if low is not None and 2 * deadband >= high - low and deadband > 0:
            raise ValueError(
                f"deadband_c {deadband:g} leaves no room to come back into {low:g}..{high:g} °C"
            )
        if self.gross_high_c is not None and temperature("gross_high_c", self.gross_high_c) < high:
            raise ValueError(f"gross_high_c {self.gross_high_c:g} lies inside the band")
        if self.gross_low_c is not None:
            gross_low = temperature("gross_low_c", self.gross_low_c)
            if low is None or gross_low > low:
                raise ValueError(f"gross_low_c {gross_low:g} lies inside the band")

    @classmethod
    def fridge(cls) -> BandSpec:
        """The defaults for a fridge, ``FRIDGE_DEFAULTS``."""
        return FRIDGE_DEFAULTS

    @classmethod
    def freezer(cls) -> BandSpec:
        """The defaults for a freezer, ``FREEZER_DEFAULTS``."""
        return FREEZER_DEFAULTS


# docs/RULES.md, Cold chain: 0..+4 °C, 10 min, gross > 8 °C or < 0 °C.
FRIDGE_DEFAULTS = BandSpec("fridge", 0.0, 4.0, 10 * 60.0, gross_low_c=0.0, gross_high_c=8.0)
# docs/RULES.md, Cold chain: <= -18 °C, 20 min, gross > -10 °C.
FREEZER_DEFAULTS = BandSpec("freezer", None, -18.0, 20 * 60.0, gross_low_c=None, gross_high_c=-10.0)
BAND_DEFAULTS: dict[EnclosureKind, BandSpec] = {
    "fridge": FRIDGE_DEFAULTS,
    "freezer": FREEZER_DEFAULTS,
}


@dataclass(frozen=True, slots=True)
class ProbeHealthSpec:
    """When a probe is stale, stuck or overdue for calibration (docs/RULES.md, Cold chain).

    - stale: no reading at all for more than ``stale_periods`` sample periods ("no data for
      3 sample periods"; a silent probe is an alarm of its own);
    - stuck: the identical value for ``stuck_after_s`` seconds or more (None: not checked);
    - calibration overdue: after ``calibration_due_ns`` (UTC ns; None: no due date known).
    """

    sample_period_s: float
    stale_periods: int = DEFAULT_STALE_PERIODS
    stuck_after_s: float | None = None
    calibration_due_ns: int | None = None

    def __post_init__(self) -> None:
        positive("sample_period_s", self.sample_period_s)
        whole_periods("stale_periods", self.stale_periods, MAX_STALE_PERIODS)
        if self.stuck_after_s is not None:
            positive("stuck_after_s", self.stuck_after_s)
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
        temperature("threshold_c", self.threshold_c)
        not_negative("deadband_c", self.deadband_c)


DEFAULT_HEATING_WATCH = HeatingWatchSpec()
