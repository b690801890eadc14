"""Every kind of alarm the daemon can raise is named in both languages."""

from __future__ import annotations

from importlib import resources

import pytest

import monitor.evaluation
from monitor.evaluation.event_base import Event
from monitor.service.daemon import UNCLEAN_KEY
from monitor.service.disk_space import DISK_KEY, SPACE_KEY
from monitor.service.journal_watch import INTEGRITY_KEY
from monitor.service.lot_watch import alarm_key as lot_alarm_key
from monitor.service.notifications import HEALTH_PREFIX
from monitor.service.outbox import ALARM_KEY
from monitor.service.overload import OVERLOAD_KEY
from monitor.service.sheet_desk import ALARM_PREFIX
from monitor.web.alarm_causes import cause_html, cause_id
from monitor.web.i18n import LANGUAGES
from monitor.web.po_catalogue import load_po


def event_conditions() -> set[str]:
    assert monitor.evaluation  # the event classes are defined once the package is imported
    found: set[str] = set()
    todo = [Event]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.condition is not None:
            found.add(cls.condition)
    return found


def every_key() -> list[str]:
    keys = [f"{c}:X1" for c in event_conditions()]
    keys += [UNCLEAN_KEY, DISK_KEY, SPACE_KEY, INTEGRITY_KEY, ALARM_KEY, OVERLOAD_KEY]
    keys += [lot_alarm_key("L2026-001", "expired"), f"{HEALTH_PREFIX}email", f"{ALARM_PREFIX}F1"]
    return keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_alarm_kind_has_its_name_in_each_language(lang: str) -> None:
    root = resources.files("monitor.web") / "locale" / lang / "LC_MESSAGES" / "messages.po"
    catalogue = load_po(root.read_text(encoding="utf-8"))
    assert len(event_conditions()) >= 10
    for key in every_key():
        found = cause_id(key)
        assert found is not None, key
        assert catalogue.gettext(found) != found, (lang, key)


def test_the_kind_comes_first_and_the_record_as_written() -> None:
    french = {"cause.stale": "Sonde muette"}.get
    html = cause_html("stale:Z1-air", "probe stale raised on <Z1>", lambda s: french(s) or s)
    assert (
        html
        == '<strong>Sonde muette</strong> — <span lang="en">probe stale raised on &lt;Z1&gt;</span>'
    )
    assert cause_html("nothing:known", "text", str) == '<span lang="en">text</span>'
