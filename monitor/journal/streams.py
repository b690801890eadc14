"""Stream ids shared by every part: the device, pasteurisation cycles, enclosure-days and lots.

``device``: service-level events (journal opened, reopened after a crash, closed).
``cycle:<pasteuriser>:<start, UTC, seconds>Z``: one pasteurisation cycle.
``enclosure:<enclosure>:<local date>``: one enclosure's day (the site's time zone names it).
``lot:<lot number>``: one lot's dossier.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from monitor.clock import NS_PER_S
from monitor.journal.record import check_stream

DEVICE_STREAM = "device"
_EQUIPMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_ENCLOSURE_DAY = re.compile(r"enclosure:([A-Za-z0-9][A-Za-z0-9_.\-]{0,63}):(\d{4}-\d{2}-\d{2})")


def _equipment(kind: str, ident: str) -> str:
    if not _EQUIPMENT_ID.fullmatch(ident):
        raise ValueError(f"{kind} id {ident!r}: letters, digits, '_', '.', '-' (64 at most)")
    return ident


def cycle_stream(pasteuriser: str, start_ns: int) -> str:
    """``cycle:P1:2026-11-21T08:00:00Z`` for a cycle of P1 started at that UTC second."""
    start = datetime.fromtimestamp(start_ns // NS_PER_S, tz=UTC)
    return check_stream(
        f"cycle:{_equipment('pasteuriser', pasteuriser)}:{start:%Y-%m-%dT%H:%M:%S}Z"
    )


def enclosure_day_stream(enclosure: str, day: date) -> str:
    """``enclosure:F1:2026-11-21``: the readings and events of F1 on that local day."""
    return check_stream(f"enclosure:{_equipment('enclosure', enclosure)}:{day.isoformat()}")


def parse_enclosure_day(stream: str) -> tuple[str, date] | None:
    """The enclosure and day of an enclosure-day stream id, or None for any other stream."""
    match = _ENCLOSURE_DAY.fullmatch(stream)
    if match is None:
        return None
    try:
        return match.group(1), date.fromisoformat(match.group(2))
    except ValueError:
        return None


def lot_stream(lot: str) -> str:
    """``lot:L2026-001``; the lot number itself is checked by the lot policy."""
    return check_stream(f"lot:{lot}")
