"""What kind of alarm it is, in the page's language, from its key.

An alarm's text is recorded by the daemon in English as it happened (``message``, with its
figures and reasons), and the pages show it as recorded. Its kind is read from its key
(``stale:Z1-air``, ``journal:disk``) and named through the catalogues (``cause.*``), so a
French page says what is wrong in French before the record's words.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

# The first part of a key, or the first two where one family holds several causes.
KINDS = frozenset({
    "band", "calibration", "come_up_slow", "cycle_failed", "fault", "hold_interrupted",
    "overshoot", "stale", "stuck", "unregistered_cycle", "overload", "unclean_restart", "lot",
    "journal.disk", "journal.space", "journal.integrity", "outbox", "notify", "sheet",
})  # fmt: skip


def cause_id(key: str) -> str | None:
    """The catalogue's id of the alarm kind of ``key``; None for a kind it does not name."""
    parts = key.split(":")
    for kind in (".".join(parts[:2]), parts[0]):
        if kind in KINDS:
            return f"cause.{kind}"
    return None


def cause_html(key: str, message: str, gettext_: Callable[[str], str]) -> Markup:
    """The kind in the page's language, then the recorded text, marked as English."""
    found = cause_id(key)
    recorded = Markup('<span lang="en">{}</span>').format(message)
    if found is None:
        return recorded
    return Markup("<strong>{}</strong> — {}").format(escape(gettext_(found)), recorded)
