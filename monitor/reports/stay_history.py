"""Where the lot was kept: each stay's readings, their extremes, and every excursion it lived.

The readings are those of the enclosure-day streams of the stay's enclosure that the bundle
carries, stamped within the stay (to the last reading carried for a stay still open). An
excursion is lived through when it overlaps the stay: it started before the lot left and
ended after the lot came in (or has not ended).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from monitor.journal.dossier import Stay
from monitor.journal.readings import READING
from monitor.journal.record import Record
from monitor.journal.streams import parse_enclosure_day


@dataclass(frozen=True, slots=True)
class Excursion:
    enclosure: str
    stream: str
    seq: int  # of its excursion_started record
    start_ts: int
    end_ts: int | None  # None: not ended in the records carried
    side: str
    worst_c: float | None
    alarmed: bool

    @property
    def location(self) -> str:
        return f"{self.stream}#{self.seq}"


@dataclass(slots=True)
class StayHistory:
    stay: Stay
    end_ts: int | None  # the stay's end, or the last reading carried for a stay still open
    readings: int = 0
    faults: int = 0
    low_c: float | None = None
    high_c: float | None = None
    streams: list[str] = field(default_factory=list)
    excursions: list[Excursion] = field(default_factory=list)


def stay_histories(
    stays: Sequence[Stay], streams: Mapping[str, Sequence[Record]]
) -> list[StayHistory]:
    """Each stay with its extremes and excursions, in the order the lot recorded them."""
    by_enclosure: dict[str, list[str]] = {}
    for name in sorted(streams):
        parsed = parse_enclosure_day(name)
        if parsed is not None:
            by_enclosure.setdefault(parsed[0], []).append(name)
    excursions = {e: _excursions(e, names, streams) for e, names in by_enclosure.items()}
    return [
        _history(stay, by_enclosure.get(stay.enclosure, []), streams, excursions) for stay in stays
    ]


def _history(
    stay: Stay,
    names: list[str],
    streams: Mapping[str, Sequence[Record]],
    excursions: Mapping[str, list[Excursion]],
) -> StayHistory:
    end = stay.out_ts
    history = StayHistory(stay, end)
    last = None
    for name in names:
        used = False
        for record in streams[name]:
            if record.kind != READING or record.ts < stay.in_ts:
                continue
            if end is not None and record.ts > end:
                continue
            used = True
            history.readings += 1
            value = record.fields.get("value")
            if record.fields.get("quality") == "fault" or not isinstance(value, float):
                history.faults += 1
                continue
            if math.isfinite(value):
                history.low_c = value if history.low_c is None else min(history.low_c, value)
                history.high_c = value if history.high_c is None else max(history.high_c, value)
            last = record.ts if last is None else max(last, record.ts)
        if used:
            history.streams.append(name)
    if end is None:
        history.end_ts = last
    history.excursions = [
        e
        for e in excursions.get(stay.enclosure, [])
        if (end is None or e.start_ts <= end) and (e.end_ts is None or e.end_ts >= stay.in_ts)
    ]
    return history


def _excursions(
    enclosure: str, names: list[str], streams: Mapping[str, Sequence[Record]]
) -> list[Excursion]:
    """Excursions in record order: an enclosure has one open at a time, so its alarm and its
    end are those that follow its ``excursion_started``, in whichever enclosure-day they fall
    (``names`` sort by day)."""
    out: list[Excursion] = []
    current: Excursion | None = None
    for name in names:
        for record in streams[name]:
            f = record.fields
            if record.kind == "excursion_started":
                if current is not None:
                    out.append(current)
                value = f.get("value_c")
                current = Excursion(enclosure, name, record.seq, record.ts, None,
                                    str(f.get("side", "")), _float(value), False)  # fmt: skip
            elif current is None:
                continue
            elif record.kind == "excursion_alarmed":
                current = replace(current, alarmed=True)
            elif record.kind == "excursion_ended":
                worst = _float(f.get("worst_c"))
                current = replace(
                    current,
                    end_ts=record.ts,
                    worst_c=current.worst_c if worst is None else worst,
                    alarmed=current.alarmed or f.get("alarmed") is True,
                )
                out.append(current)
                current = None
    if current is not None:
        out.append(current)
    return out


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
