"""The time limits of a lot's life, and when a control after pasteurisation is positive.

docs/RULES.md, The lot's life (Arrêté 10 Feb 1995 V, VII, VIII):

- L9: "tout lait dont le contrôle est positif est détruit". A control after pasteurisation
  is positive when it finds any S. aureus, or a total flora above ``post_flora_max_cfu_ml``
  (default 0 CFU/mL: any growth after pasteurisation is positive). A positive lot may not be
  released; it is destroyed. The limit is inclusive: a count equal to it is negative.
- L10: raw milk waits at most 48 h at +4 °C from its collection, which lactamon dates by the
  lot's creation; frozen raw milk has no such limit.
- L11: pasteurised milk waits at most 48 h in a fridge from the end of its cycle, then is
  frozen at -18 °C. Once frozen, a later stay in a fridge (thawing) has no limit here: the
  sources set none.
- L12: frozen milk keeps until its use-by date, 6 months after its pasteurisation (to the
  day, in UTC), and people are warned 3 days before it.

Pure: values in, deadlines and reasons out. The setting behind each value is in
``config.lots`` (``[lots]``) and ``config.equipment`` (``pasteurisation.post_flora_max_cfu_ml``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.evaluation.checks import duration, not_negative, whole_periods
from monitor.evaluation.params import EnclosureKind

HOUR_S = 3600.0
DAY_S = 24 * HOUR_S
MAX_WAIT_S = 30 * DAY_S  # a fridge limit: 30 days at most (hours typed as minutes …)
MAX_USE_BY_MONTHS = 24
MAX_WARNING_S = 90 * DAY_S
DEFAULT_POST_FLORA_MAX_CFU_ML = 0.0
DEFAULT_RAW_FRIDGE_S = 48 * HOUR_S
DEFAULT_PASTEURISED_FRIDGE_S = 48 * HOUR_S
DEFAULT_USE_BY_MONTHS = 6
DEFAULT_USE_BY_WARNING_S = 3 * DAY_S
NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class LotLimits:
    """The limits of L9–L12 (docs/RULES.md, The lot's life), seconds and CFU/mL."""

    post_flora_max_cfu_ml: float = DEFAULT_POST_FLORA_MAX_CFU_ML
    raw_fridge_s: float = DEFAULT_RAW_FRIDGE_S
    pasteurised_fridge_s: float = DEFAULT_PASTEURISED_FRIDGE_S
    use_by_months: int = DEFAULT_USE_BY_MONTHS
    use_by_warning_s: float = DEFAULT_USE_BY_WARNING_S

    def __post_init__(self) -> None:
        not_negative("post_flora_max_cfu_ml", self.post_flora_max_cfu_ml)
        duration("raw_fridge_s", self.raw_fridge_s, MAX_WAIT_S)
        duration("pasteurised_fridge_s", self.pasteurised_fridge_s, MAX_WAIT_S)
        whole_periods("use_by_months", self.use_by_months, MAX_USE_BY_MONTHS)
        duration("use_by_warning_s", self.use_by_warning_s, MAX_WARNING_S, zero_allowed=True)


@dataclass(frozen=True, slots=True)
class StayLimit:
    """When a stay must end, and the rule that says so, in words."""

    deadline_ns: int
    rule: str


def positive_control(total_flora_cfu_ml: float, s_aureus_cfu_ml: float, limits: LotLimits) -> str:
    """Why a control after pasteurisation is positive (L9), or "" when it is negative."""
    reasons = []
    if s_aureus_cfu_ml > 0:
        reasons.append(f"S. aureus {s_aureus_cfu_ml:g} CFU/mL found")
    if total_flora_cfu_ml > limits.post_flora_max_cfu_ml:
        reasons.append(
            f"total flora {total_flora_cfu_ml:g} CFU/mL > "
            f"{limits.post_flora_max_cfu_ml:g} CFU/mL allowed"
        )
    if not reasons:
        return ""
    return "positive control after pasteurisation: " + " and ".join(reasons)


def use_by_ns(pasteurised_ns: int, limits: LotLimits) -> int:
    """The use-by moment (L12): the end of pasteurisation, ``use_by_months`` later to the day
    (the 31st becomes the month's last day)."""
    start = datetime.fromtimestamp(pasteurised_ns // NS_PER_S, tz=UTC)
    months = start.month - 1 + limits.use_by_months
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    later = start.replace(year=year, month=month, day=day)
    return int(later.timestamp()) * NS_PER_S + pasteurised_ns % NS_PER_S


def stay_limit(
    kind: EnclosureKind,
    created_ns: int,
    pasteurised_ns: int | None,
    frozen_since_pasteurisation: bool,
    limits: LotLimits,
) -> StayLimit | None:
    """The deadline of a lot's stay in an enclosure of ``kind`` (L10, L11), or None.

    ``pasteurised_ns`` is the end of the lot's pasteurisation (None while it is raw);
    ``frozen_since_pasteurisation`` whether it has been in a freezer since then.
    """
    if kind != "fridge":
        return None  # frozen milk is bounded by its use-by date (L12), not by a stay
    if pasteurised_ns is None:
        hours = limits.raw_fridge_s / HOUR_S
        rule = f"raw milk waits at most {hours:g} h in a fridge from its collection (L10)"
        return StayLimit(created_ns + int(limits.raw_fridge_s * NS_PER_S), rule)
    if frozen_since_pasteurisation:
        return None
    hours = limits.pasteurised_fridge_s / HOUR_S
    rule = (
        f"pasteurised milk waits at most {hours:g} h in a fridge from the end of its cycle, "
        "then is frozen (L11)"
    )
    return StayLimit(pasteurised_ns + int(limits.pasteurised_fridge_s * NS_PER_S), rule)
