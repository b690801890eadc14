"""The slice of the ``alarms`` stream a lot bundle carries, so its cycles' alarms verify too.

A cycle's alarms and their acknowledgements are records of the unit-wide ``alarms`` stream,
which a lot bundle cannot carry whole (it holds every alarm of the unit, for years). Like the
device records of a key rotation (``bundle_rotations``), the bundle carries a slice of it:
from the last checkpoint or seal before the start of the lot's first cycle to the first
checkpoint or seal after the end of its last one (to the head when none signs it yet). The
slice starts at a signed record, so the ``prev_hash`` its chain starts from is the head hash
that record's own signature covers; and it ends at one, so every alarm transition of the
cycles' time is covered by a signature. The header names the slice's last record as the head
of ``alarms``.

Only ``alarms`` (and ``device``, for rotations) may start after #1, and only at a signed
record; any other start is missing records.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.journal.record import Record, Unreadable
from monitor.journal.signing import SIGNED_KINDS
from monitor.journal.streams import ALARM_STREAM
from monitor.journal.verification import Finding, FindingKind
from monitor.journal.witness import PublishedHead


def alarm_slice(alarms: Sequence[Record], start_ns: int, end_ns: int) -> list[Record]:
    """The records (in seq order) a bundle carries for the time ``start_ns``..``end_ns``:
    from the last signed record before the first one stamped at or after ``start_ns``, to
    the first signed record after the last one stamped at or before ``end_ns``. Positions,
    not the signatures' own stamps, decide: a checkpoint is stamped when it is written."""
    if not alarms:
        return []
    signed = [n for n, record in enumerate(alarms) if record.kind in SIGNED_KINDS]
    first_in = next((n for n, r in enumerate(alarms) if r.ts >= start_ns), len(alarms))
    last_in = max((n for n, r in enumerate(alarms) if r.ts <= end_ns), default=first_in)
    first = max((n for n in signed if n < first_in), default=0)
    last = next((n for n in signed if n > max(last_in, first)), len(alarms) - 1)
    return list(alarms[first : last + 1])


def slice_start(entries: Sequence[Record | Unreadable]) -> int | None:
    """Where the bundle's alarm records start when they are a slice (above #1, at a signed
    record); None when they start at #1, or anywhere else (then what is absent is missing)."""
    alarms = [e for e in entries if isinstance(e, Record) and e.stream == ALARM_STREAM]
    if not alarms:
        return None
    first = min(alarms, key=lambda record: record.seq)
    return first.seq if first.seq > 1 and first.kind in SIGNED_KINDS else None


def slice_findings(entries: Sequence[Record | Unreadable], start: int | None) -> list[Finding]:
    """The slice's first record signs the head it chains from: its ``head_hash`` must be the
    ``prev_hash`` it claims, or the start of the slice is not what the device signed."""
    if start is None:
        return []
    for entry in entries:
        if isinstance(entry, Record) and entry.stream == ALARM_STREAM and entry.seq == start:
            claimed = entry.prev_hash.hex() if entry.prev_hash is not None else None
            if entry.fields.get("head_hash") == claimed:
                return []
            return [
                Finding(
                    FindingKind.BAD_CHECKPOINT,
                    ALARM_STREAM,
                    start,
                    f"the slice of {ALARM_STREAM} starts at this {entry.kind}, but the head "
                    "hash it signs is not the prev_hash it chains from",
                )
            ]
    return []


def slice_note(start: int | None, end: int) -> list[str]:
    if start is None:
        return []
    return [
        f"the bundle carries the {ALARM_STREAM} stream from #{start} to #{end}: its cycles' "
        "alarms and acknowledgements, from the signature before their start to the one after "
        "their end"
    ]


def heads_to_compare(
    published: Sequence[PublishedHead], start: int | None, end: int
) -> tuple[list[PublishedHead], list[str]]:
    """The published heads a bundle can be compared with: a head of ``alarms`` outside its
    slice (``start``..``end``) names records the bundle never meant to carry."""
    if start is None:
        return list(published), []
    kept, notes = [], []
    for head in published:
        entry = head.entry
        if entry.stream == ALARM_STREAM and (entry.seq is None or not start <= entry.seq <= end):
            notes.append(
                f"published head {ALARM_STREAM}#{entry.seq} ({head.witness}) is outside the "
                f"alarm records the bundle carries (#{start}..#{end}): not compared"
            )
        else:
            kept.append(head)
    return kept, notes
