"""The time limits of a lot's life: raw and pasteurised milk in a fridge, frozen milk's use-by.

The defaults and checks are the rules' (``monitor.evaluation.lot_life``, docs/RULES.md, The
lot's life, L10–L12); durations are hours and days here, seconds in the rules.
"""

from __future__ import annotations

from functools import partial

from pydantic import Field, model_validator

from config.base import Integer, Number, Strict
from config.parameters import check_as_parameters
from monitor.evaluation.lot_life import (
    DAY_S,
    DEFAULT_PASTEURISED_FRIDGE_S,
    DEFAULT_RAW_FRIDGE_S,
    DEFAULT_USE_BY_MONTHS,
    DEFAULT_USE_BY_WARNING_S,
    HOUR_S,
    MAX_USE_BY_MONTHS,
    MAX_WAIT_S,
    MAX_WARNING_S,
    LotLimits,
)

_NAMES = {
    "raw_fridge_s": "raw_fridge_max_h",
    "pasteurised_fridge_s": "pasteurised_fridge_max_h",
    "use_by_warning_s": "use_by_warn_days",
}


class LotSettings(Strict):
    """``[lots]``: how long milk may wait, and when people hear of a use-by date."""

    # The bounds repeat the rules' so that a setting out of them is named with its own unit.
    raw_fridge_max_h: Number = Field(
        default=DEFAULT_RAW_FRIDGE_S / HOUR_S, gt=0, le=MAX_WAIT_S / HOUR_S
    )
    pasteurised_fridge_max_h: Number = Field(
        default=DEFAULT_PASTEURISED_FRIDGE_S / HOUR_S, gt=0, le=MAX_WAIT_S / HOUR_S
    )
    use_by_months: Integer = Field(default=DEFAULT_USE_BY_MONTHS, ge=1, le=MAX_USE_BY_MONTHS)
    use_by_warn_days: Number = Field(
        default=DEFAULT_USE_BY_WARNING_S / DAY_S, ge=0, le=MAX_WARNING_S / DAY_S
    )

    @model_validator(mode="after")
    def _limits_are_valid(self) -> LotSettings:
        check_as_parameters(partial(self.limits, 0.0), _NAMES)
        return self

    def limits(self, post_flora_max_cfu_ml: float) -> LotLimits:
        """The rules' limits, with the post-pasteurisation flora limit of ``[pasteurisation]``."""
        return LotLimits(
            post_flora_max_cfu_ml=post_flora_max_cfu_ml,
            raw_fridge_s=self.raw_fridge_max_h * HOUR_S,
            pasteurised_fridge_s=self.pasteurised_fridge_max_h * HOUR_S,
            use_by_months=self.use_by_months,
            use_by_warning_s=self.use_by_warn_days * DAY_S,
        )
