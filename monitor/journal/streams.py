"""Stream ids: the one place where every kind of stream is named, formatted and parsed.

| kind | id | holds |
|---|---|---|
| device | ``device`` | service-level events (journal opened, closed, clock origin, state) |
| alarms | ``alarms`` | every alarm transition of the unit (raised, acknowledged, shelved …) |
| users | ``users`` | every change to the users (added, role, disabled, password), signed |
| cycle | ``cycle:<pasteuriser>:<UTC start, seconds>Z`` | one pasteurisation cycle |
| pasteuriser day | ``pasteuriser:<pasteuriser>:<local date>`` | readings while no cycle runs |
| enclosure day | ``enclosure:<enclosure>:<local date>`` | one fridge's or freezer's day |
| probe day | ``probe:<probe>:<local date>`` | readings of a probe no equipment owns |
| lot | ``lot:<lot number>`` | one lot's dossier |
| sheets | ``sheets:<enclosure>:<local month>`` | the signatures of an enclosure's daily sheets |

Every part (pipeline, outbox, InfluxDB tags, bundles) builds and reads stream ids here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from monitor.journal.record import check_stream
from monitor.time_units import NS_PER_S

DEVICE_STREAM = "device"
ALARM_STREAM = "alarms"
USERS_STREAM = "users"
_ID = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}"
_EQUIPMENT_ID = re.compile(_ID)
_CYCLE = re.compile(rf"cycle:({_ID}):(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}})Z")
_DAY = re.compile(rf"(enclosure|pasteuriser|probe):({_ID}):(\d{{4}}-\d{{2}}-\d{{2}})")
_SHEETS = re.compile(rf"sheets:({_ID}):(\d{{4}})-(\d{{2}})")
_LOT_PREFIX = "lot:"


class StreamKind(StrEnum):
    """What a stream is about."""

    DEVICE = "device"
    ALARMS = "alarms"
    USERS = "users"
    CYCLE = "cycle"
    PASTEURISER_DAY = "pasteuriser"
    ENCLOSURE_DAY = "enclosure"
    PROBE_DAY = "probe"
    LOT = "lot"
    SHEETS = "sheets"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class StreamId:
    """A parsed stream id: its kind, the equipment or lot it names, its day or start."""

    kind: StreamKind
    subject: str = ""
    day: date | None = None  # for a month of sheets: the month's first day
    start: datetime | None = None


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


def day_stream(kind: StreamKind, equipment: str, day: date | str) -> str:
    """``enclosure:F1:2026-11-21``: the readings and events of F1 on that local day; the
    same shape for a pasteuriser's idle day and for a probe no equipment owns."""
    if kind not in (StreamKind.ENCLOSURE_DAY, StreamKind.PASTEURISER_DAY, StreamKind.PROBE_DAY):
        raise ValueError(f"{kind.value} streams are not day streams")
    text = day if isinstance(day, str) else day.isoformat()
    return check_stream(f"{kind.value}:{_equipment(kind.value, equipment)}:{text}")


def enclosure_day_stream(enclosure: str, day: date | str) -> str:
    """``enclosure:F1:2026-11-21``."""
    return day_stream(StreamKind.ENCLOSURE_DAY, enclosure, day)


def lot_stream(lot: str) -> str:
    """``lot:L2026-001``; the lot number itself is checked by the lot policy."""
    return check_stream(f"{_LOT_PREFIX}{lot}")


def sheets_stream(enclosure: str, month: date) -> str:
    """``sheets:F1:2026-11``: the signatures of F1's daily sheets of that local month and the
    month's review. An enclosure-day stream holds what the device saw, this one what people
    signed about it, so a day's readings are never mixed with later acts of people."""
    return check_stream(f"sheets:{_equipment('enclosure', enclosure)}:{month:%Y-%m}")


def stream_prefix(kind: StreamKind) -> str:
    """What every id of a kind of stream begins with (``cycle:``, ``lot:`` …)."""
    if kind in (StreamKind.DEVICE, StreamKind.ALARMS, StreamKind.USERS, StreamKind.OTHER):
        raise ValueError(f"{kind.value} is not a family of streams")
    return f"{kind.value}:"


def parse_stream(stream: str) -> StreamId:
    """The kind and parts of any stream id; unknown shapes are ``OTHER``."""
    if stream == DEVICE_STREAM:
        return StreamId(StreamKind.DEVICE)
    if stream == ALARM_STREAM:
        return StreamId(StreamKind.ALARMS)
    if stream == USERS_STREAM:
        return StreamId(StreamKind.USERS)
    if stream.startswith(_LOT_PREFIX):
        return StreamId(StreamKind.LOT, stream.removeprefix(_LOT_PREFIX))
    match = _CYCLE.fullmatch(stream)
    if match is not None:
        try:
            start = datetime.fromisoformat(match.group(2)).replace(tzinfo=UTC)
        except ValueError:
            return StreamId(StreamKind.OTHER, stream)
        return StreamId(StreamKind.CYCLE, match.group(1), start=start)
    match = _DAY.fullmatch(stream)
    if match is not None:
        try:
            day = date.fromisoformat(match.group(3))
        except ValueError:
            return StreamId(StreamKind.OTHER, stream)
        return StreamId(StreamKind(match.group(1)), match.group(2), day=day)
    match = _SHEETS.fullmatch(stream)
    if match is not None:
        try:
            first = date(int(match.group(2)), int(match.group(3)), 1)
        except ValueError:
            return StreamId(StreamKind.OTHER, stream)
        return StreamId(StreamKind.SHEETS, match.group(1), day=first)
    return StreamId(StreamKind.OTHER, stream)


def parse_enclosure_day(stream: str) -> tuple[str, date] | None:
    """The enclosure and day of an enclosure-day stream id, or None for any other stream."""
    parsed = parse_stream(stream)
    if parsed.kind is not StreamKind.ENCLOSURE_DAY or parsed.day is None:
        return None
    return parsed.subject, parsed.day
