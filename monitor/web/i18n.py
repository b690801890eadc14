"""French and English: gettext catalogues read from the .po files at start (``po_catalogue``).

The .po files under ``locale/`` are the only form kept in the repository (no binary .mo to
drift from them). The language is the user's choice (a cookie set by the language switch),
else the browser's ``Accept-Language``, else French, the lab's language.
"""

from __future__ import annotations

from gettext import NullTranslations
from importlib import resources

from aiohttp import web

from monitor.web.cookies import LANG_COOKIE
from monitor.web.po_catalogue import load_po

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def load_catalogues() -> dict[str, NullTranslations]:
    """Each language's translations, read from ``locale/<lang>/LC_MESSAGES/messages.po``."""
    found: dict[str, NullTranslations] = {}
    root = resources.files("monitor.web") / "locale"
    for lang in LANGUAGES:
        po = root / lang / "LC_MESSAGES" / "messages.po"
        # fuzzy and empty entries left out: the English shows
        found[lang] = load_po(po.read_text(encoding="utf-8"), f"{lang}/messages.po")
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
