"""What the writer's own records say about the others: closes and damage notes.

A clean close appends ``journal_closed`` to ``device`` and then signs each stream's head; the
next session opens with ``journal_opened`` (``journal_reopened`` after a crash). In the order
records were stored (row ids in a journal file), nothing but those closing checkpoints lies
between the two: any other record there was stored while no writer ran, whatever its chain
says (a correctly chained record appended by hand is consistent and only unsigned, until a
later signature covers it), and is an ``after_close`` error.

When the writer takes a stream back and finds damage after its last signature, it chains a
``stream_damaged`` record into that stream (fields ``stream``, ``problem``, ``first_seq``,
``last_seq``) before anything else, so the signatures that follow cover the note, never the
damage alone: records ``first_seq``..``last_seq`` it names are ``damage_noted`` errors, in a
bundle of the stream as in the journal.
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
Window = tuple[int, int, int]  # (position of journal_closed, of the next opening, its seq)


def closed_windows(device_items: Iterable[Item]) -> list[Window]:
    """Where, in storage order, no writer ran: from each close to the next opening."""
    windows: list[Window] = []
    start: tuple[int, int] | None = None
    for item in sorted(device_items, key=lambda i: i.position):
        entry = item.entry
        if not isinstance(entry, Record):
            continue
        if entry.kind == CLOSED:
            start = start or (item.position, entry.seq)
        elif entry.kind in OPENINGS and start is not None:
            windows.append((start[0], item.position, start[1]))
            start = None
    if start is not None:
        windows.append((start[0], sys.maxsize, start[1]))
    return windows


def after_close_findings(walk: StreamWalk, windows: list[Window]) -> list[Finding]:
    """An error for each record of ``walk`` stored inside a window, but closing checkpoints."""
    findings = []
    for slot in walk.slots if windows else ():
        entry, position = slot.item.entry, slot.item.position
        if isinstance(entry, Record) and entry.kind == CHECKPOINT:
            continue
        closed = next((seq for a, b, seq in windows if a < position < b), None)
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
