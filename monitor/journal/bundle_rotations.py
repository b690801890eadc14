"""The device records a lot bundle carries for its key rotations, and how they are read back.

A journal handed over to a new key (``key_rotation``) is exported under a header the new key
signs; a verifier who trusts the old key accepts the new one only through the ``key_rotated``
records of the device stream. A bundle therefore carries an excerpt of that stream, from its
first ``key_rotated`` record to the first checkpoint or seal after its last one (to the head
when none signs it yet), so that the statements chain to a signature like every other record.
The header names the excerpt's last record as the device stream's head.

The records before the first statement are not the lot's and are left out: the excerpt's
first record chains from the ``prev_hash`` it claims. Only the device stream may start so,
and only at a ``key_rotated`` record (the alarms stream, at a signature: ``bundle_alarms``);
a lot, cycle or enclosure stream is always whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.journal.key_rotation import KEY_ROTATED
from monitor.journal.record import Record, Unreadable
from monitor.journal.signing import SIGNED_KINDS
from monitor.journal.streams import DEVICE_STREAM
from monitor.journal.witness import PublishedHead


def rotation_excerpt(device: Sequence[Record]) -> list[Record]:
    """The device records (in seq order) a bundle carries; none without a rotation."""
    rotations = [n for n, record in enumerate(device) if record.kind == KEY_ROTATED]
    if not rotations:
        return []
    first, last = rotations[0], rotations[-1]
    signed = (n for n in range(last + 1, len(device)) if device[n].kind in SIGNED_KINDS)
    return list(device[first : next(signed, len(device) - 1) + 1])


def excerpt_start(entries: Sequence[Record | Unreadable]) -> int | None:
    """Where the bundle's device records start when they are a rotation excerpt (above #1,
    at a ``key_rotated`` record); None when they start at #1, or anywhere else (then what is
    absent before them is missing)."""
    device = [e for e in entries if isinstance(e, Record) and e.stream == DEVICE_STREAM]
    if not device:
        return None
    first = min(device, key=lambda record: record.seq)
    return first.seq if first.seq > 1 and first.kind == KEY_ROTATED else None


def rotation_records(entries: Sequence[Record | Unreadable]) -> list[Record]:
    """The ``key_rotated`` records of the bundle's device stream."""
    return [
        e
        for e in entries
        if isinstance(e, Record) and e.stream == DEVICE_STREAM and e.kind == KEY_ROTATED
    ]


def heads_to_compare(
    published: Sequence[PublishedHead], start: int | None, end: int
) -> tuple[list[PublishedHead], list[str]]:
    """The published heads a bundle can be compared with: a head of the device stream outside
    its excerpt (``start``..``end``) names records the bundle never meant to carry."""
    if start is None:
        return list(published), []
    kept, notes = [], []
    for head in published:
        entry = head.entry
        if entry.stream == DEVICE_STREAM and (entry.seq is None or not start <= entry.seq <= end):
            notes.append(
                f"published head {DEVICE_STREAM}#{entry.seq} ({head.witness}) is outside the "
                f"device records the bundle carries (#{start}..#{end}, its key rotations): "
                "not compared"
            )
        else:
            kept.append(head)
    return kept, notes
