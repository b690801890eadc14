"""Placing one stream's records on its hash chain, slot by slot, to locate what does not fit.

Slot ``t`` takes the record labelled ``t`` that chains from what slot ``t - 1`` may hash to
(its ``tip``). After a record that does not chain, the tip holds both its stored hash and the
hash its content gives: the next record chains from the first if the content was changed,
from the second if the stored hash was. When no labelled record chains, records that failed
elsewhere (the ``pool``) are tried under this slot's stream and seq: a record whose stream or
seq field was changed, or two records that swapped places, chain again where they belong.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from monitor.journal.canonical import canonical_bytes, chain_hash, genesis_hash
from monitor.journal.errors import RecordError
from monitor.journal.record import Record, Unreadable

_sha256 = hashlib.sha256
Tip = dict[bytes, str]  # candidate hash of the previous slot -> "genesis", "stored", ...
_MAX_TIP = 3


class SlotStatus(StrEnum):
    INTACT = "intact"  # chains from the previous slot
    MOVED = "moved"  # chains here only under this slot's stream and seq, not its own label
    AFTER_GAP = "after_gap"  # follows a missing record; consistent with its own prev_hash
    UNCHECKED = "unchecked"  # follows a missing record and carries no prev_hash
    FAILED = "failed"  # does not chain, or cannot be read


class Item:
    """One record (or unreadable entry) of the input, with where it was found.

    ``stream`` and ``seq`` say where it is being placed; ``label`` keeps what it said itself.
    Compared by identity.
    """

    __slots__ = ("canonical", "entry", "hash", "label", "position", "seq", "stream", "where")

    def __init__(self, entry: Record | Unreadable, position: int, where: str) -> None:
        self.entry, self.position, self.where = entry, position, where
        self.stream: str | None = entry.stream
        self.seq: int | None = entry.seq
        self.label: tuple[str | None, int | None] = (entry.stream, entry.seq)
        self.hash: bytes | None = entry.hash
        self.canonical: bytes | None = None
        if isinstance(entry, Record):
            try:
                self.canonical = canonical_bytes(
                    entry.stream, entry.seq, entry.ts, entry.kind, entry.fields
                )
            except RecordError:
                self.canonical = None

    def canonical_as(self, stream: str, seq: int) -> bytes | None:
        """Its canonical bytes as if its stream and seq were ``stream`` and ``seq``."""
        record = self.entry
        if not isinstance(record, Record) or self.canonical is None:
            return None
        if (stream, seq) == (record.stream, record.seq):
            return self.canonical
        return canonical_bytes(stream, seq, record.ts, record.kind, record.fields)

    def chains_from(self, tip: Tip, stream: str, seq: int) -> bytes | None:
        """The tip hash this item chains from when placed at ``stream#seq``, if any."""
        canonical = self.canonical_as(stream, seq)
        if canonical is None or self.hash is None:
            return None
        for prev in tip:
            if chain_hash(prev, canonical) == self.hash:
                return prev
        return None


@dataclass(slots=True, eq=False)
class Slot:
    seq: int
    item: Item
    status: SlotStatus
    tip_before: Tip | None
    chained_from: bytes | None = None

    @property
    def via(self) -> str:
        """How it chained from the previous slot: "stored", "recomputed", "genesis" or ""."""
        if self.tip_before is None or self.chained_from is None:
            return ""
        return self.tip_before.get(self.chained_from, "")


@dataclass(slots=True)
class Hole:
    """Slots ``first``..``last`` hold nothing; ``last`` None: the open end after the head."""

    first: int
    last: int | None
    tip_before: Tip | None


@dataclass(slots=True)
class StreamWalk:
    stream: str
    slots: list[Slot] = field(default_factory=list)
    holes: list[Hole] = field(default_factory=list)
    unused: list[Item] = field(default_factory=list)
    first_seq: int = 1

    def suspects(self) -> list[Item]:
        """Items that did not chain where they were found: they may belong elsewhere."""
        doubtful = (SlotStatus.FAILED, SlotStatus.UNCHECKED, SlotStatus.AFTER_GAP)
        return [
            s.item for s in self.slots if s.status in doubtful and not self.opens_excerpt(s)
        ] + self.unused

    def opens_excerpt(self, slot: Slot) -> bool:
        """The first record of an excerpt, consistent with the prev_hash it claims."""
        first = self.first_seq
        return first > 1 and slot.seq == first and slot.status is SlotStatus.AFTER_GAP


def walk_stream(
    stream: str, items: Sequence[Item], pool: Sequence[Item] = (), first_seq: int = 1
) -> StreamWalk:
    """Place ``items`` (all placed in ``stream``) on the chain; ``pool`` may fill other slots.

    ``first_seq`` above 1: the items are an excerpt of the stream from that seq, whose first
    record chains from the ``prev_hash`` it claims (what comes before is not held)."""
    by_seq: dict[int, list[Item]] = {}
    for item in items:
        if item.seq is not None:
            by_seq.setdefault(item.seq, []).append(item)
    labelled = sorted(by_seq)
    used: set[int] = set()
    walk = StreamWalk(stream, first_seq=max(first_seq, 1))
    tip: Tip | None = {genesis_hash(stream): "genesis"} if first_seq <= 1 else None
    t = max(first_seq, 1)
    intact = SlotStatus.INTACT
    while True:
        group = by_seq.get(t)
        if group is not None and len(group) == 1 and tip is not None and len(tip) == 1:
            # The usual case, one record chaining from one known hash, without the search.
            item = group[0]
            if item.canonical is not None and item.hash is not None and id(item) not in used:
                prev = next(iter(tip))
                if _sha256(prev + item.canonical).digest() == item.hash:
                    walk.slots.append(Slot(t, item, intact, tip, prev))
                    used.add(id(item))
                    tip = {item.hash: "stored"}
                    t += 1
                    continue
        candidates = [i for i in by_seq.get(t, ()) if id(i) not in used]
        after = walk.slots[-1].item.position if walk.slots else -1
        slot = _place(stream, t, candidates, by_seq.get(t + 1, ()), pool, used, tip, after)
        if slot is None:
            after = bisect_right(labelled, t)
            # Seqs whose records were all placed elsewhere (moved) are no longer labels.
            while after < len(labelled) and all(id(i) in used for i in by_seq[labelled[after]]):
                after += 1
            if after == len(labelled):
                walk.holes.append(Hole(t, None, tip))
                break
            following = labelled[after]
            walk.holes.append(Hole(t, following - 1, tip))
            tip, t = None, following
            continue
        walk.slots.append(slot)
        used.add(id(slot.item))
        tip = _tip_after(slot, stream)
        t += 1
    walk.unused = [i for i in items if id(i) not in used]
    return walk


def _place(
    stream: str,
    t: int,
    candidates: list[Item],
    following: Sequence[Item],
    pool: Sequence[Item],
    used: set[int],
    tip: Tip | None,
    after: int,
) -> Slot | None:
    if tip is not None:
        chaining = [(i, p) for i in candidates if (p := i.chains_from(tip, stream, t)) is not None]
        if chaining:
            item, prev = _prefer_continued(chaining, following, stream, t, after)
            return Slot(t, item, SlotStatus.INTACT, tip, prev)
        for item in pool:
            if id(item) in used or item in candidates:
                continue
            source = item.chains_from(tip, stream, t)
            if source is not None:
                return Slot(t, item, SlotStatus.MOVED, tip, source)
        return Slot(t, _first_readable(candidates), SlotStatus.FAILED, tip) if candidates else None
    for item in candidates:
        claimed = item.entry.prev_hash if isinstance(item.entry, Record) else None
        if claimed is not None and item.chains_from({claimed: "claimed"}, stream, t) is not None:
            return Slot(t, item, SlotStatus.AFTER_GAP, None, claimed)
    if not candidates:
        return None
    item = _first_readable(candidates)
    entry = item.entry
    unchecked = isinstance(entry, Record) and entry.prev_hash is None and item.canonical
    return Slot(t, item, SlotStatus.UNCHECKED if unchecked else SlotStatus.FAILED, None)


def _prefer_continued(
    chaining: list[tuple[Item, bytes]], following: Sequence[Item], stream: str, t: int, after: int
) -> tuple[Item, bytes]:
    """Of several records that chain at ``t`` (a forged copy with a recomputed hash and the
    genuine one), the one the next record chains from; else the first stored after the
    record before it; else the first."""
    if len(chaining) > 1:
        for item, prev in chaining:
            tip = {item.hash: "stored"} if item.hash is not None else {}
            if any(n.chains_from(tip, stream, t + 1) is not None for n in following):
                return item, prev
        for item, prev in chaining:
            if item.position > after:
                return item, prev
    return chaining[0]


def _first_readable(candidates: list[Item]) -> Item:
    readable = [i for i in candidates if i.canonical is not None]
    return (readable or candidates)[0]


def _tip_after(slot: Slot, stream: str) -> Tip | None:
    item = slot.item
    if slot.status is not SlotStatus.FAILED:
        return {item.hash: "stored"} if item.hash is not None else None
    tip: Tip = {}
    if item.hash is not None:
        tip[item.hash] = "stored"
    canonical = item.canonical_as(stream, slot.seq)
    if canonical is not None and slot.tip_before:
        # Bounded: after several failures in a row the recomputed hashes mean nothing more.
        for prev in list(slot.tip_before)[: _MAX_TIP - 1]:
            tip.setdefault(chain_hash(prev, canonical), "recomputed")
    return tip or None
