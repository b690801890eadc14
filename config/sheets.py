"""Settings of the daily sheets: when an unsigned sheet becomes an alarm (docs/RULES.md, C10)."""

from __future__ import annotations

from pydantic import Field

from config.base import Integer, Strict


class SheetSettings(Strict):
    """``[sheets]``: a closed day's sheet not signed by ``unsigned_alarm_at`` (local time) of
    the next day is a low alarm, ``sheet:<enclosure>:<day>``.

    ``alarm_lookback_days`` bounds how far back a starting daemon looks for sheets to alarm:
    a unit that was down, or a journal older than the daily sheets, must not raise an alarm
    for every day of its past. An alarm already raised stays until its sheet is signed.
    """

    unsigned_alarm_at: str = Field(default="10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    alarm_lookback_days: Integer = Field(default=7, ge=1, le=366)

    @property
    def alarm_minutes(self) -> int:
        """``unsigned_alarm_at`` as minutes after local midnight."""
        hours, minutes = self.unsigned_alarm_at.split(":")
        return int(hours) * 60 + int(minutes)
