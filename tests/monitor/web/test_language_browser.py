"""The same pages in French and in English, in a real browser whose language is fr-FR or
en-GB: each page shows its words in the browser's language, and none shows a message id
(``state.acked``) or a text of the catalogue left in the other language.

A supervisor sees every page with the most on it: the overview with an alarm waiting, the
alarms and one alarm, the cycles and a passed cycle, the lots and a lot, the daily sheets
and a closed day, the probes, the audit trail, the verification and the users; the sign-in
page is read signed out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.pofile import read_po

from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.fixtures.browser import expect, sign_in
from tests.monitor.service.quiet_daemon import PW, STALE, quiet_daemon
from tests.monitor.web.test_lot_pages import READY, create_lot, passed_cycle
from tests.monitor.web.test_sheet_pages import D19, closed_day

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

LOCALE = Path(__file__).parents[3] / "monitor" / "web" / "locale"
BROWSERS = {"en": "en-GB", "fr": "fr-FR"}
PEOPLE = {"sophie": Role.SUPERVISOR, "anne": Role.TECHNICIAN}  # anne makes the lot
# A few words of each page, in English and in French, as the catalogues give them.
WORDS = {
    "/": ("1 alarm(s) waiting for acknowledgement", "1 alarme(s) en attente d'acquittement"),
    "/alarms": ("Acknowledge the alarms ticked above", "Acquitter les alarmes cochées"),
    f"/alarms/{STALE}": ("History", "Historique"),
    "/cycles": ("Start a cycle", "Démarrer un cycle"),
    "/lots": ("Every lot", "Tous les lots"),
    f"/lots/{READY}": ("Bacteriology", "Bactériologie"),
    "/sheets": ("Monthly review", "Visa mensuel"),
    f"/sheets/F1/{D19}": (f"Daily sheet — F1, {D19}", f"Fiche journalière — F1, {D19}"),
    "/probes": ("Probes", "Sondes"),
    "/audit": ("Audit trail", "Piste d'audit"),
    "/verify": ("Verification", "Vérification"),
    "/users": ("Add a user", "Ajouter un utilisateur"),
}
# What the probes say with no broker nor Modbus server to read (F2-air, polled fast, is silent).
PROBE_STATES = {"en": ["stale, unavailable", "unavailable"],
                "fr": ["indisponible", "muette, indisponible"]}  # fmt: skip
# Counts the live feed's messages once the page has shown each one.
COUNT_FEED = """
(() => {
  const Feed = window.EventSource;
  window.feedMessages = 0;
  window.EventSource = class extends Feed {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => setTimeout(() => { window.feedMessages += 1; }));
    }
  };
})();
"""
# The keys the pages translate (``_("state." + state)``), were one shown as it is.
KEY = re.compile(r"\b(?:state|alarm|priority|phase|lot|act|decision|exposure|sheet|side|probe)"
                 r"\.[a-z0-9_]+\b")  # fmt: skip

# What a page shows of the record as it was written (a record's fields, the verification's
# report): the journal's words, the same in every language.
RECORDED = "td.fields, pre.report"
# A stream's or an alarm's name ("pasteuriser:P1:2026-11-20", "stale:F2-air"): an identifier.
RECORD_NAME = re.compile(r"[\w-]+(?::[\w.+-]+)+")
TRANSLATED = """(recorded) => {
  document.querySelectorAll(recorded).forEach((element) => element.remove());
  return document.body.innerText;
}"""


def catalogue(lang: str) -> dict[str, str]:
    """Each message id's text in ``lang`` (the id itself where the catalogue has none)."""
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        found = read_po(po, locale=lang)
    return {str(m.id): str(m.string or m.id) for m in found if isinstance(m.id, str) and m.id}


def differing() -> dict[str, list[str]]:
    """For each language, the texts of the other one that read differently in it. Left out:
    those with placeholders (filled in, they are not found as they are), and those the
    language writes too (French "active" in "active, non acquittée")."""
    english, french = catalogue("en"), catalogue("fr")
    pairs = [(english.get(key, key), text) for key, text in french.items()]
    pairs = [(en, fr) for en, fr in pairs if en != fr and "%" not in en + fr]
    ens, frs = [en for en, _ in pairs], [fr for _, fr in pairs]
    return {"fr": [en for en in ens if not within(en, frs)],
            "en": [fr for fr in frs if not within(fr, ens)]}  # fmt: skip


def within(words: str, texts: list[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) for text in texts)


OTHER = differing()


def as_written(daemon: Daemon) -> list[str]:
    """The texts pages show as they were written, in any language: what the lab named its
    site, buses, equipment and probes, and what the service said of its alarms and probes
    (an alarm's message, a driver's reason for a probe unavailable), as the journal has it."""
    settings, pipeline = daemon.settings, daemon.pipeline
    assert pipeline is not None
    names = [*(p.name for p in settings.pasteurisers), *(e.name for e in settings.enclosures),
             *(p.name for p in settings.probes)]  # fmt: skip
    return [settings.site.name, *(name for name in names if name),
            *(bus.id for bus in settings.modbus),
            *(a.message for a in pipeline.desk.listing(include_normal=True)),
            *(view.reason for view in pipeline.probes.values() if view.reason)]  # fmt: skip


def leaks(text: str, lang: str, daemon: Daemon) -> list[str]:
    """Message ids, and texts of the other language, found in a page's visible ``text``
    once what it shows as written is out (``as_written``, the names of records)."""
    for name in sorted(as_written(daemon), key=len, reverse=True):
        text = text.replace(name, "")
    text = RECORD_NAME.sub("", text)
    found = KEY.findall(text)
    found += [words for words in OTHER[lang] if within(words, [text])]
    return found


async def read(page: Page, url: str, lang: str, words: str, daemon: Daemon) -> str:
    answer = await page.goto(url)
    assert answer is not None, url
    assert answer.status == 200, url
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await expect(page.locator("body")).to_contain_text(words)
    text: str = await page.evaluate(TRANSLATED, RECORDED)
    assert leaks(text, lang, daemon) == [], url
    return text


async def test_the_pages_in_french_and_in_english(tmp_path: Path, browser: Browser) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        await create_lot(daemon, READY)
        cycle = passed_cycle(daemon, READY)
        closed_day(daemon)
        base = daemon.api_url
        for index, (lang, locale) in enumerate(BROWSERS.items()):
            context = await browser.new_context(locale=locale)
            await context.add_init_script(COUNT_FEED)
            page = await context.new_page()
            await read(page, base + "/login", lang, ("Sign in", "Connexion")[index], daemon)
            await sign_in(page, base, "sophie", PW)
            for path, words in WORDS.items():
                await read(page, base + path, lang, words[index], daemon)
            events = ("Events", "Événements")[index]
            text = await read(page, f"{base}/cycles/{cycle}", lang, events, daemon)
            assert "PASS" in text  # the verdict is the record's word, in every language
            await read(page, base + "/probes", lang, PROBE_STATES[lang][0], daemon)
            states = await page.locator("td .pstate").all_inner_texts()
            assert sorted(set(states)) == PROBE_STATES[lang]
            # The overview's live feed sends its texts in the page's language too: read once
            # the page has shown what the feed sent first.
            await page.goto(base + "/")
            await page.wait_for_function("window.feedMessages > 0")
            await expect(page.locator("#live")).to_have_text(("live", "en direct")[index])
            tiles = page.locator("#tiles")
            await expect(tiles).to_contain_text(("fridge", "réfrigérateur")[index])
            assert leaks(await tiles.inner_text(), lang, daemon) == []
            states = await tiles.locator('[data-field="pstate"]').all_inner_texts()
            assert sorted(set(states)) == PROBE_STATES[lang]
