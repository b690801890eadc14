"""The catalogues: every text the pages ask for has its French, the language is chosen by
the cookie, then Accept-Language, then French."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp.test_utils import make_mocked_request

from monitor.alarms import AlarmState
from monitor.journal.lot_state import LotState
from monitor.web.i18n import choose_language, load_catalogues
from monitor.web.tiles import STATES

WEB = Path(__file__).parents[3] / "monitor" / "web"
# Words French writes as English does.
SAME_IN_FRENCH = {"Action", "Cause", "Cycle", "Cycles", "Lot", "Lots", "Source", "Verdict",
                  "Correction", "Corrections", "Distributions", "Excursion", "Excursions",
                  "Signature", "Dossier (PDF)", "S. aureus", "Volume (mL)"}  # fmt: skip
LITERAL = re.compile(r'(?<![A-Za-z0-9_])(?:_|gettext)\("((?:[^"\\]|\\.)+)"\)')


def used_texts() -> set[str]:
    found = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]:
        found |= set(LITERAL.findall(path.read_text()))
    found |= {f"state.{s}" for s in STATES}
    found |= {f"alarm.{s.value}" for s in AlarmState}
    found |= {f"priority.{n}" for n in range(1, 5)}
    found |= {"technician", "supervisor", "inspector", "kiosk", "pasteuriser", "fridge", "freezer"}
    found |= {f"lot.{s.value}" for s in LotState}
    found |= {f"act.{kind}" for kind in ("lot_released", "lot_destroyed", "lot_decided")}
    found |= {"decision.keep", "decision.destroy", "side.high", "side.low"}
    found |= {f"exposure.{what}" for what in ("excursion", "stale", "fault", "stuck")}
    found |= {f"sheet.{s}" for s in ("signed", "unsigned", "open", "no_record", "not_closed")}
    return found


def test_every_text_has_its_french() -> None:
    french = load_catalogues()["fr"]
    missing = sorted(t for t in used_texts() if french.gettext(t) == t and t not in SAME_IN_FRENCH)
    assert not missing, f"no French for: {missing}"


def test_keys_read_as_words_in_english() -> None:
    english = load_catalogues()["en"]
    keys = [
        t
        for t in used_texts()
        if re.fullmatch(r"(state|alarm|priority|lot|act|decision|exposure|sheet|side)\.\w+", t)
    ]
    assert keys
    assert all(english.gettext(k) != k for k in keys)


def test_the_language_is_the_cookie_then_the_browser_then_french() -> None:
    def lang(headers: dict[str, str]) -> str:
        return choose_language(make_mocked_request("GET", "/", headers=headers))

    assert lang({}) == "fr"
    assert lang({"Accept-Language": "en-US,en;q=0.9"}) == "en"
    assert lang({"Accept-Language": "de-DE, en;q=0.3, fr;q=0.7"}) == "fr"
    assert lang({"Accept-Language": "fr;q=0, en;q=0.1"}) == "en"
    assert lang({"Accept-Language": "en;q=bad"}) == "fr"
    assert lang({"Accept-Language": "en", "Cookie": "lactamon_lang=fr"}) == "fr"
    assert lang({"Cookie": "lactamon_lang=xx"}) == "fr"
