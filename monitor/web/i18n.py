"""French and English: gettext catalogues compiled in memory from the .po files at start.

The .po files under ``locale/`` are the only form kept in the repository (no binary .mo to
drift from them). The language is the user's choice (a cookie set by the language switch),
else the browser's ``Accept-Language``, else French, the lab's language.
"""

from __future__ import annotations

import io
from importlib import resources

from aiohttp import web
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from monitor.web.cookies import LANG_COOKIE

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def load_catalogues() -> dict[str, NullTranslations]:
    """Each language's translations, read from ``locale/<lang>/LC_MESSAGES/messages.po``."""
    found: dict[str, NullTranslations] = {}
    root = resources.files("monitor.web") / "locale"
    for lang in LANGUAGES:
        po = root / lang / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)  # fuzzy and empty entries left out: the English shows
        compiled.seek(0)
        found[lang] = Translations(compiled)
    return found


def choose_language(request: web.Request) -> str:
    """The cookie's language, else the best of ``Accept-Language``, else French."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("Accept-Language", "")
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else DEFAULT
