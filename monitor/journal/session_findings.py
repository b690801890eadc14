"""What the writer's own records say about the others: closes and damage notes.

A clean close appends ``journal_closed`` to ``device`` and then signs each stream's head; the
next session opens with ``journal_opened`` (``journal_reopened`` after a crash). In the order
records were stored (row ids in a journal file), nothing but those closing checkpoints lies
between the two: any other record there was stored while no writer ran, whatever its chain
says (a correctly chained record appended by hand is consistent and only unsigned, until a
later signature covers it), and is an ``after_close`` error. The window ends at the next
``device`` record in storage order that is not a checkpoint, which is an error too when it is
not an opening (an opening whose kind was changed is located there, not as every record
after it), or where a ``device`` record is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from monitor.journal.chain import Item, StreamWalk
from monitor.journal.record import Record
from monitor.journal.signing import CHECKPOINT
from monitor.journal.verification import Finding, FindingKind

CLOSED = "journal_closed"
OPENINGS = frozenset({"journal_opened", "journal_reopened"})
DAMAGED = "stream_damaged"
# (position of journal_closed, of the device record that ends the window, the close's seq,
# whether that record is inside: not an opening)
Window = tuple[int, int, int, bool]


def closed_windows(device_items: Iterable[Item]) -> list[Window]:
    """Where, in storage order, no writer ran: from each close to the next opening."""
    windows: list[Window] = []
    start: tuple[int, int] | None = None  # the close: position, seq
    last = (0, 0)  # the last device record of the window: position, seq
    for item in sorted(device_items, key=lambda i: i.position):
        entry = item.entry
        kind = entry.kind if isinstance(entry, Record) else None  # None: it cannot be read
        if start is not None:
            if item.seq != last[1] + 1:  # a device record is missing: the window ends there
                windows.append((start[0], last[0] + 1, start[1], False))
                start = None
            elif kind == CHECKPOINT:
                last = (item.position, item.seq)
                continue
            else:
                windows.append((start[0], item.position, start[1], kind not in OPENINGS))
                start = None
        if kind == CLOSED and item.seq is not None:
            start = last = (item.position, item.seq)
    if start is not None:
        windows.append((start[0], sys.maxsize, start[1], False))
    return windows


def after_close_findings(
    walk: StreamWalk, windows: list[Window], found: list[Finding]
) -> list[Finding]:
    """An error for each record of ``walk`` stored inside a window, but closing checkpoints;
    none when ``found`` says the stream is stored out of order: its places prove nothing."""
    if not windows or any(f.kind is FindingKind.REORDERED for f in found):
        return []
    findings = []
    for slot in walk.slots:
        entry, position = slot.item.entry, slot.item.position
        if isinstance(entry, Record) and entry.kind == CHECKPOINT:
            continue
        closed = next(
            (seq for a, b, seq, last in windows if a < position < b or (last and position == b)),
            None,
        )
        if closed is not None:
            findings.append(
                Finding(
                    FindingKind.AFTER_CLOSE,
                    walk.stream,
                    slot.seq,
                    f"stored after the journal was closed (device#{closed}) and before it "
                    "was opened again: no writer made it",
                    where=slot.item.where,
                )
            )
    return findings


def noted_findings(walk: StreamWalk) -> list[Finding]:
    """An error for each range of records a ``stream_damaged`` note of the stream names."""
    findings = []
    for slot in walk.slots:
        note = slot.item.entry
        if not isinstance(note, Record) or note.kind != DAMAGED:
            continue
        first, last = note.fields.get("first_seq"), note.fields.get("last_seq")
        if note.fields.get("stream") != walk.stream or type(first) is not int:
            continue
        last = last if type(last) is int and first <= last < slot.seq else first
        findings.append(
            Finding(
                FindingKind.DAMAGE_NOTED,
                walk.stream,
                first,
                f"found damaged by the writer when it took the stream back (#{slot.seq}): "
                f"{note.fields.get('problem', '')}",
                last,
            )
        )
    return findings
