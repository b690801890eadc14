"""A .po file read into the standard library's ``gettext`` translations, without Babel.

The daemon needs the two catalogues of its pages and nothing else of Babel at run time:
Babel's reader and writer (and the date and number modules its ``support`` imports) are
1 MB of the daemon's memory for as long as it runs. This reads the part of the .po format
the catalogues use (``msgctxt``, ``msgid``, ``msgid_plural``, ``msgstr``, ``msgstr[n]``,
continued strings, comments and flags), writes the entries into a GNU .mo image in memory
and hands it to ``gettext.GNUTranslations``, which applies the header's ``Plural-Forms``. As
Babel's compiler does, a fuzzy or untranslated entry is left out, so the page shows the
source text. Babel stays the tool that extracts and updates the catalogues, and
``tests/monitor/web/test_po_catalogue.py`` holds this reader to Babel's on both files.
"""

from __future__ import annotations

import gettext
import io
import struct
from dataclasses import dataclass, field

KEYWORDS = ("msgctxt", "msgid_plural", "msgid", "msgstr")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


class PoError(ValueError):
    """A line of the .po file this reader does not understand; the message names it."""


@dataclass
class Entry:
    context: str | None = None
    msgid: str | None = None
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoError(f"{where}: a quoted string was expected")
    out, chars = [], iter(text[1:-1])
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in ESCAPES:
                raise PoError(f"{where}: unknown escape \\{escaped}")
            out.append(ESCAPES[escaped])
        else:
            out.append(char)
    return "".join(out)


def read_entries(text: str, name: str = "catalogue") -> list[Entry]:
    """The entries of a .po file, in order."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        where, line = f"{name}:{number}", raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if entry.strings:  # comments open the next entry
                entries.append(entry)
                entry, target = Entry(), None
            if line.startswith("#,") and "fuzzy" in line[2:].replace(",", " ").split():
                entry.fuzzy = True
            continue
        if line.startswith('"'):
            if target is None:
                raise PoError(f"{where}: a string continued before any keyword")
            _append(entry, target, _unquote(line, where))
            continue
        keyword, _, rest = line.partition(" ")
        base, index = keyword, 0
        if keyword.startswith("msgstr[") and keyword.endswith("]"):
            base, index = "msgstr", int(keyword[7:-1])
        if base not in KEYWORDS:
            raise PoError(f"{where}: unknown keyword {keyword!r}")
        if base in ("msgctxt", "msgid") and entry.strings:
            entries.append(entry)  # the previous entry ends where the next one starts
            entry = Entry()
        target = (base, index)
        _append(entry, target, _unquote(rest, where), start=True)
    if entry.msgid is not None:
        entries.append(entry)
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str, start: bool = False) -> None:
    base, index = target
    if base == "msgctxt":
        entry.context = text if start else (entry.context or "") + text
    elif base == "msgid":
        entry.msgid = text if start else (entry.msgid or "") + text
    elif base == "msgid_plural":
        entry.plural = text if start else (entry.plural or "") + text
    else:
        entry.strings[index] = text if start else entry.strings.get(index, "") + text


def mo_image(entries: list[Entry]) -> bytes:
    """The GNU .mo file of the translated, not fuzzy, entries (the header always)."""
    pairs: dict[bytes, bytes] = {}
    for e in entries:
        translated = [e.strings[i] for i in sorted(e.strings)]
        header = e.msgid == "" and e.context is None
        if e.msgid is None or (not header and (e.fuzzy or not all(translated))):
            continue
        key = e.msgid if e.plural is None else f"{e.msgid}\0{e.plural}"
        if e.context is not None:
            key = f"{e.context}\x04{key}"
        pairs[key.encode()] = "\0".join(translated).encode()
    keys = sorted(pairs)
    ids = strs = b""
    offsets = []
    for msg in keys:
        offsets.append((len(ids), len(msg), len(strs), len(pairs[msg])))
        ids += msg + b"\0"
        strs += pairs[msg] + b"\0"
    start = 7 * 4 + 16 * len(keys)
    key_table = [v for o, n, _, _ in offsets for v in (n, start + o)]
    value_table = [v for _, _, o, n in offsets for v in (n, start + len(ids) + o)]
    head = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    tables = struct.pack(f"{len(key_table)}i", *key_table)
    tables += struct.pack(f"{len(value_table)}i", *value_table)
    return head + tables + ids + strs


def load_po(text: str, name: str = "catalogue") -> gettext.GNUTranslations:
    """The translations of a .po file's text; ``PoError`` names a line it cannot read."""
    return gettext.GNUTranslations(io.BytesIO(mo_image(read_entries(text, name))))
