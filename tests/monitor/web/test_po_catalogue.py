"""The pages' catalogues read without Babel translate every message as Babel's do."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from monitor.web.i18n import LANGUAGES
from monitor.web.po_catalogue import PoError, load_po

ROOT = resources.files("monitor.web") / "locale"


def babel_translations(text: str, lang: str) -> Translations:
    compiled = io.BytesIO()
    write_mo(compiled, read_po(io.StringIO(text), locale=lang))
    compiled.seek(0)
    return Translations(compiled)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_message_of_each_catalogue_reads_as_with_babel(lang: str) -> None:
    text = (ROOT / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    ours, theirs = load_po(text, lang), babel_translations(text, lang)
    catalog = read_po(io.StringIO(text), locale=lang)
    ids = [m.id for m in catalog if m.id]
    assert len(ids) > 100
    for msgid in ids:
        assert isinstance(msgid, str)
        assert ours.gettext(msgid) == theirs.gettext(msgid), msgid
    assert ours.gettext("no such message") == "no such message"


SAMPLE = r"""# a comment
msgid ""
msgstr ""
"Language: fr\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "Alarm"
msgstr "Alarme"

#, fuzzy
msgid "Door"
msgstr "Porte (à revoir)"

msgid "Empty"
msgstr ""

msgid "a \"long\" "
"line\n"
msgstr "une \"longue\" "
"ligne\n"

msgctxt "menu"
msgid "Open"
msgstr "Ouvrir"

msgid "%(n)d probe"
msgid_plural "%(n)d probes"
msgstr[0] "%(n)d sonde"
msgstr[1] "%(n)d sondes"
"""


def test_fuzzy_and_empty_entries_are_left_out_and_the_rest_reads_as_with_babel() -> None:
    ours, theirs = load_po(SAMPLE), babel_translations(SAMPLE, "fr")
    for msgid in ("Alarm", "Door", "Empty", 'a "long" line\n'):
        assert ours.gettext(msgid) == theirs.gettext(msgid), msgid
    assert ours.gettext("Door") == "Door"
    assert ours.pgettext("menu", "Open") == theirs.pgettext("menu", "Open") == "Ouvrir"
    for n in (0, 1, 2, 5):
        expected = theirs.ngettext("%(n)d probe", "%(n)d probes", n)
        assert ours.ngettext("%(n)d probe", "%(n)d probes", n) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('msgid "a"\nmsgstr "b\\q"\n', "catalogue:2: unknown escape \\q"),
        ('msgid "a"\nmsgfoo "b"\n', "catalogue:2: unknown keyword 'msgfoo'"),
        ('"orphan"\n', "catalogue:1: a string continued before any keyword"),
        ("msgid a\n", "catalogue:1: a quoted string was expected"),
    ],
)
def test_a_line_it_cannot_read_is_named(text: str, words: str) -> None:
    with pytest.raises(PoError) as caught:
        load_po(text)
    assert str(caught.value) == words
