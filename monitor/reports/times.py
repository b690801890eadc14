"""Times on paper: the site's local time with UTC beside it, from nanosecond stamps.

A bundle's header does not say the site's time zone, so every document names the zone it
was written in, and gives UTC too: the records themselves are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.clock import NS_PER_S

DEFAULT_ZONE = "Europe/Paris"


class ZoneError(ValueError):
    """A time zone name the system does not know."""


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ZoneError(f"unknown time zone {name!r} (e.g. Europe/Paris)") from None


class Times:
    """Formats stamps in one zone: ``2026-06-01 10:00:00 CEST (08:00:00 UTC)``."""

    def __init__(self, zone: str) -> None:
        self.name = zone
        self.zone = zone_info(zone)

    def local(self, ts: int) -> datetime:
        return datetime.fromtimestamp(ts / NS_PER_S, tz=self.zone)

    def utc(self, ts: int) -> datetime:
        return datetime.fromtimestamp(ts / NS_PER_S, tz=UTC)

    def when(self, ts: int) -> str:
        """Local date and time with its abbreviation, then UTC (its date only if it differs)."""
        local, utc = self.local(ts), self.utc(ts)
        utc_text = f"{utc:%H:%M:%S}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M:%S}"
        return f"{local:%Y-%m-%d %H:%M:%S} {local:%Z} ({utc_text} UTC)"

    def cell(self, ts: int) -> str:
        """``when`` on two lines, for table cells: local time, then UTC."""
        local, utc = self.local(ts), self.utc(ts)
        utc_text = f"{utc:%H:%M:%S}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M:%S}"
        return f"{local:%Y-%m-%d %H:%M:%S} {local:%Z}\n{utc_text} UTC"

    def day(self, ts: int) -> date:
        return self.local(ts).date()

    def iso_local(self, ts: int) -> str:
        return self.local(ts).isoformat(timespec="milliseconds")

    def iso_utc(self, ts: int) -> str:
        return self.utc(ts).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duration_text(seconds: float) -> str:
    """``2 d 03 h 10 min``, ``1 h 05 min``, ``12 min 30 s``."""
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours:02d} h {minutes:02d} min"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"
