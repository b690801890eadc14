"""The pages' dates read as Babel's CLDR data writes them, without loading that data."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from babel.dates import format_datetime

from monitor.clock import NS_PER_S
from monitor.web.dates import LOCALES, SiteDates


def test_every_month_and_hour_reads_as_babel_writes_it_in_both_languages() -> None:
    dates = SiteDates("Europe/Paris")
    start = datetime(2026, 1, 1, 0, 0, 7, tzinfo=UTC)
    # Every month, both sides of each change of summer time, single and double digits.
    for step in range(0, 24 * 400, 7):
        moment = start + timedelta(hours=step, minutes=step % 60)
        ts = int(moment.timestamp()) * NS_PER_S
        local = moment.astimezone(dates.zone)
        for lang, locale in LOCALES.items():
            assert dates.local(ts, lang) == format_datetime(local, "medium", locale=locale)


def test_a_page_date_loads_no_locale_data() -> None:
    # Babel's CLDR data for one language is some 5 MB of the daemon's memory.
    probe = (
        "import sys; from monitor.web.dates import SiteDates; "
        "SiteDates('Europe/Paris').html(1796320000 * 10**9, 'fr'); "
        "print('babel.localedata' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_element_keeps_the_utc_instant() -> None:
    html = SiteDates("Europe/Paris").html(1796320000 * NS_PER_S, "en")
    assert html.startswith('<time datetime="2026-12-03T')
    assert 'title="UTC 2026-12-03T' in html
    assert SiteDates("Europe/Paris").html(None, "en") == "—"
