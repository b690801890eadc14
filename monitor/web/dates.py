"""Dates as people read them: in the site's time zone, in the page's language, the UTC
instant of the record kept in the element's ``title`` and ``datetime``.

The text is Babel's "medium" date and time of each language (``3 déc. 2026, 09:05:07``,
``3 Dec 2026, 09:05:07``), written from the two patterns and month names here: Babel's own
formatter loads the CLDR data of the locale, some 5 MB of the daemon's memory for the first
language and 1.5 MB for the next, for what one pattern and twelve month names write
(``tests/monitor/web/test_dates.py`` holds them to Babel's output).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from monitor.clock import NS_PER_S

# English as a lab in Europe writes it: day before month, a 24-hour clock.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
# CLDR's abbreviated month names (format context) of those locales.
MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"),
}  # fmt: skip


class SiteDates:
    """Formats nanosecond stamps for one site's zone."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def local(self, ts_ns: int, lang: str) -> str:
        moment = datetime.fromtimestamp(ts_ns / NS_PER_S, UTC).astimezone(self.zone)
        month = MONTHS.get(lang, MONTHS["en"])[moment.month - 1]
        return f"{moment.day} {month} {moment.year}, {moment:%H:%M:%S}"

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
