"""The limits of a lot's life: a positive control, the use-by date, how long a stay may last."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.clock import datetime_to_ns, ns_to_datetime
from monitor.evaluation.lot_life import LotLimits, positive_control, stay_limit, use_by_ns

H = 3600 * 1_000_000_000
LIMITS = LotLimits()


@pytest.mark.parametrize(
    ("flora", "aureus", "limit", "positive"),
    [
        (0, 0, 0, ""),
        (1, 0, 0, "total flora 1 CFU/mL > 0 CFU/mL allowed"),
        (0, 1, 0, "S. aureus 1 CFU/mL found"),
        (10, 0, 10, ""),  # the limit is inclusive
        (11, 2, 10, "S. aureus 2 CFU/mL found and total flora 11 CFU/mL > 10 CFU/mL allowed"),
    ],
)
def test_a_control_is_positive_on_any_s_aureus_or_flora_above_the_limit(
    flora: float, aureus: float, limit: float, positive: str
) -> None:
    reason = positive_control(flora, aureus, LotLimits(post_flora_max_cfu_ml=limit))
    assert reason == (f"positive control after pasteurisation: {positive}" if positive else "")


@pytest.mark.parametrize(
    ("pasteurised", "use_by"),
    [
        (datetime(2026, 11, 20, 10, 30, tzinfo=UTC), datetime(2027, 5, 20, 10, 30, tzinfo=UTC)),
        (datetime(2026, 8, 31, 23, 0, tzinfo=UTC), datetime(2027, 2, 28, 23, 0, tzinfo=UTC)),
        (datetime(2027, 8, 31, 23, 0, tzinfo=UTC), datetime(2028, 2, 29, 23, 0, tzinfo=UTC)),
    ],
)
def test_the_use_by_date_is_six_months_to_the_day(pasteurised: datetime, use_by: datetime) -> None:
    assert ns_to_datetime(use_by_ns(datetime_to_ns(pasteurised), LIMITS)) == use_by


@given(st.integers(min_value=0, max_value=4_000_000_000 * 1_000_000_000), st.integers(1, 24))
def test_the_use_by_date_always_comes_months_later(start: int, months: int) -> None:
    limits = LotLimits(use_by_months=months)
    later = use_by_ns(start, limits)
    days = (later - start) / (24 * H)
    assert 28 * months - 3 <= days <= 31 * months + 1
    assert later % 1_000_000_000 == start % 1_000_000_000


def test_a_fridge_stay_is_bounded_from_collection_then_from_pasteurisation() -> None:
    raw = stay_limit(
        "fridge",
        created_ns=0,
        pasteurised_ns=None,
        frozen_since_pasteurisation=False,
        limits=LIMITS,
    )
    assert raw is not None
    assert raw.deadline_ns == 48 * H
    assert "raw milk waits at most 48 h" in raw.rule
    pasteurised = stay_limit("fridge", 0, 10 * H, False, LIMITS)
    assert pasteurised is not None
    assert pasteurised.deadline_ns == 58 * H
    assert "then is frozen" in pasteurised.rule
    assert stay_limit("fridge", 0, 10 * H, True, LIMITS) is None  # thawed: no limit set
    assert stay_limit("freezer", 0, None, False, LIMITS) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"post_flora_max_cfu_ml": -1.0}, "post_flora_max_cfu_ml must be >= 0"),
        ({"raw_fridge_s": 0.0}, "raw_fridge_s must be more than 0 s"),
        ({"use_by_months": 0}, "use_by_months must be an integer in 1..24"),
        ({"use_by_warning_s": -1.0}, "use_by_warning_s must be 0 s or more"),
    ],
)
def test_limits_that_make_no_sense_are_refused(values: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LotLimits(**values)  # type: ignore[arg-type]
