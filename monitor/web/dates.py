"""Dates as people read them: in the site's time zone, in the page's language, the UTC
instant of the record kept in the element's ``title`` and ``datetime``."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from markupsafe import Markup, escape

from monitor.clock import NS_PER_S

# English as a lab in Europe writes it: day before month, a 24-hour clock.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


class SiteDates:
    """Formats nanosecond stamps for one site's zone."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def local(self, ts_ns: int, lang: str) -> str:
        moment = datetime.fromtimestamp(ts_ns / NS_PER_S, UTC).astimezone(self.zone)
        return format_datetime(moment, "medium", locale=LOCALES.get(lang, lang))

    def html(self, ts_ns: int | None, lang: str) -> Markup:
        """A ``<time>`` element: local text, the record's UTC in ``title``; a dash for None."""
        if ts_ns is None:
            return Markup("—")
        utc = datetime.fromtimestamp(ts_ns / NS_PER_S, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Markup('<time datetime="{0}" title="UTC {0}">{1}</time>').format(
            utc, escape(self.local(ts_ns, lang))
        )


def duration_text(seconds: float | None) -> str:
    """``1 h 05 min``, ``12 min 05 s``, ``8 s``: an age or a time left."""
    if seconds is None:
        return "—"
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
