"""What a lot lived through in its enclosures: band excursions and probe faults during its stays.

Read from the enclosure-day streams (docs/RULES.md, Cold chain, C7; Probe faults, F4–F5):
an excursion opens at ``excursion_started`` and ends at ``excursion_ended``, which carries
its measured and unmeasured time out of band and its worst value (``excursion_alarmed``
says so far, while it is open); a probe is silent from ``probe_stale_raised`` (since its
``last_ts``) to ``probe_stale_cleared``, faulty from ``probe_fault_raised`` to
``probe_fault_cleared``, stuck from ``probe_stuck_raised`` to ``probe_stuck_cleared``: time
that is not measured. An excursion is listed for a lot when it overlaps one of the lot's
stays in that enclosure; its figures are the whole excursion's.

Every exposure is named by the alarm key it raises or would raise (``band:F1``,
``stale:F1-air``), which is what a supervisor's decision (``lot_decided``) names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from monitor.journal.dossier import Stay
from monitor.journal.record import FieldValue, Record
from monitor.journal.streams import parse_enclosure_day

NS_PER_S = 1_000_000_000
BAND_KINDS = ("excursion_started", "excursion_alarmed", "excursion_ended")
PROBE_KINDS = {
    "probe_stale_raised": ("stale", True),
    "probe_stale_cleared": ("stale", False),
    "probe_fault_raised": ("fault", True),
    "probe_fault_cleared": ("fault", False),
    "probe_stuck_raised": ("stuck", True),
    "probe_stuck_cleared": ("stuck", False),
}
EXPOSURE_KINDS = (*BAND_KINDS, *PROBE_KINDS)
# The alarm conditions of an exposure: what its alarm key begins with (band:F1, stale:F1-air).
EXPOSURE_CONDITIONS = frozenset({"band", *(what for what, _ in PROBE_KINDS.values())})


@dataclass(frozen=True, slots=True)
class Exposure:
    """An excursion or a probe fault of an enclosure; ``end_ns`` None while it lasts."""

    alarm: str
    enclosure: str
    what: str  # "excursion", "stale", "fault" or "stuck"
    where: str  # the record that opened it (stream#seq), or that first showed it
    start_ns: int
    end_ns: int | None = None
    side: str = ""
    alarmed: bool = False
    measured_s: float | None = None
    unmeasured_s: float | None = None
    worst_c: float | None = None

    def overlaps(self, start_ns: int, end_ns: int | None) -> bool:
        before_end = end_ns is None or self.start_ns < end_ns
        return before_end and (self.end_ns is None or self.end_ns > start_ns)


def enclosure_exposures(records: Iterable[Record]) -> list[Exposure]:
    """Every excursion and probe fault the records of enclosure-day streams tell, in order."""
    found: list[Exposure] = []
    open_: dict[str, int] = {}  # alarm key -> index in found
    ordered = sorted(records, key=lambda r: (r.ts, r.stream, r.seq))
    for record in ordered:
        day = parse_enclosure_day(record.stream)
        if day is None:
            continue
        enclosure, f = day[0], record.fields
        if record.kind in BAND_KINDS:
            key = f"band:{enclosure}"
            index = open_.get(key)
            if index is None:
                if record.kind != "excursion_started" and "since_ts" not in f:
                    continue
                start = record.ts if record.kind == "excursion_started" else _int(f["since_ts"])
                found.append(Exposure(key, enclosure, "excursion", record.location, start))
                index = open_[key] = len(found) - 1
            found[index] = _band(found[index], record)
            if record.kind == "excursion_ended":
                del open_[key]
        elif record.kind in PROBE_KINDS:
            what, raised = PROBE_KINDS[record.kind]
            key = f"{what}:{f.get('subject', '')}"
            index = open_.get(key)
            if raised and index is None:
                start = _int(f.get("last_ts") or f.get("since_ts") or record.ts) or record.ts
                found.append(Exposure(key, enclosure, what, record.location, start))
                open_[key] = len(found) - 1
            elif not raised:
                if index is None:  # raised before the records read: it lasted until here
                    silent = f.get("silent_s")
                    start = record.ts - int(_float(silent) * NS_PER_S) if silent else record.ts
                    found.append(Exposure(key, enclosure, what, record.location, start))
                    index = len(found) - 1
                else:
                    del open_[key]
                done = found[index]
                span = (record.ts - done.start_ns) / NS_PER_S
                found[index] = replace(done, end_ns=record.ts, unmeasured_s=max(span, 0.0))
    return found


def lot_exposures(stays: Sequence[Stay], records: Iterable[Record], now_ns: int) -> list[Exposure]:
    """The exposures that overlap the lot's stays, those still open measured up to now."""
    out = []
    for exposure in enclosure_exposures(records):
        if not any(
            stay.enclosure == exposure.enclosure and exposure.overlaps(stay.in_ts, stay.out_ts)
            for stay in stays
        ):
            continue
        if exposure.end_ns is None and exposure.what != "excursion":
            exposure = replace(exposure, unmeasured_s=max(now_ns - exposure.start_ns, 0) / 1e9)
        out.append(exposure)
    return out


def _band(exposure: Exposure, record: Record) -> Exposure:
    f = record.fields
    side = str(f.get("side", exposure.side))
    if record.kind == "excursion_started":
        return replace(exposure, side=side, worst_c=_float(f.get("value_c")))
    worst = exposure.worst_c
    if record.kind == "excursion_alarmed":
        value = _float(f.get("value_c"))
        if worst is None or (value > worst if side == "high" else value < worst):
            worst = value
        return replace(
            exposure,
            side=side,
            alarmed=True,
            worst_c=worst,
            measured_s=_float(f.get("measured_out_s")),
            unmeasured_s=_float(f.get("unmeasured_out_s")),
        )
    return replace(
        exposure,
        end_ns=record.ts,
        alarmed=bool(f.get("alarmed", exposure.alarmed)),
        worst_c=_float(f.get("worst_c")),
        measured_s=_float(f.get("measured_out_s")),
        unmeasured_s=_float(f.get("unmeasured_out_s")),
    )


def _int(value: FieldValue | None) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: FieldValue | None) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float("nan")
