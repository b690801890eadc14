"""Verify any set of records with the public key alone: a journal, a bundle, a query result.

Each stream is placed on its chain on its own first; streams where something does not fit
are kept, records that failed are tried in the holes of other streams (a changed stream
field), and those streams are placed again with their failed records as a pool (a changed
seq, swapped records). Clean streams are never held in memory longer than their own check.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.chain import Item, StreamWalk, Tip, walk_stream
from monitor.journal.findings import stream_findings, unplaced_findings
from monitor.journal.keys import key_id_of
from monitor.journal.record import Record, Unreadable
from monitor.journal.rowcodec import LOST_STREAM
from monitor.journal.session_findings import after_close_findings, closed_windows, noted_findings
from monitor.journal.streams import DEVICE_STREAM
from monitor.journal.time_order import clock_steps, time_findings
from monitor.journal.verification import (
    Finding,
    FindingSeverity,
    StreamSummary,
    VerificationReport,
)

MAX_POOL = 64  # records tried in other slots of one stream; beyond, damage is reported as found
MAX_CROSS = 1000  # failed records tried in other streams


class ItemSource(Protocol):
    """Records grouped by the stream they are labelled with, loaded one stream at a time."""

    def stream_names(self) -> list[str]: ...

    def stream_items(self, stream: str) -> list[Item]: ...

    def loose_items(self) -> list[Item]:
        """Entries whose stream cannot be read."""
        ...


class MemorySource:
    """An ``ItemSource`` over items already in memory."""

    def __init__(self, items: Iterable[Item]) -> None:
        self._streams: dict[str, list[Item]] = {}
        self._loose: list[Item] = []
        for item in items:
            if item.stream is None:
                self._loose.append(item)
            else:
                self._streams.setdefault(item.stream, []).append(item)

    def stream_names(self) -> list[str]:
        return sorted(self._streams)

    def stream_items(self, stream: str) -> list[Item]:
        return self._streams.get(stream, [])

    def loose_items(self) -> list[Item]:
        return self._loose


def trusted_keys(
    keys: Ed25519PublicKey | Iterable[Ed25519PublicKey],
) -> dict[str, Ed25519PublicKey]:
    """Public keys by key id."""
    if isinstance(keys, Ed25519PublicKey):
        keys = [keys]
    return {key_id_of(key): key for key in keys}


def verify_records(
    records: Iterable[Record | Unreadable],
    keys: Ed25519PublicKey | Iterable[Ed25519PublicKey],
    *,
    ordered: bool = True,
    source: str = "records",
    excerpts: Mapping[str, int] | None = None,
) -> VerificationReport:
    """Verify records in any order of streams; ``ordered``: within a stream, the input order
    must be the seq order (true of the journal and of bundles, not of a time-sorted query);
    ``excerpts``: streams held from a seq above 1 only, by stream (``chain.walk_stream``)."""
    items = (
        Item(entry, n, entry.where if isinstance(entry, Unreadable) else f"item {n}")
        for n, entry in enumerate(records, start=1)
    )
    return verify_source(
        MemorySource(items), keys, ordered=ordered, source=source, excerpts=excerpts
    )


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector: records hold no cycles, and its passes over
    hundreds of thousands of live objects would take a third of a verification's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def verify_source(
    src: ItemSource,
    keys: Ed25519PublicKey | Iterable[Ed25519PublicKey],
    *,
    ordered: bool,
    source: str,
    excerpts: Mapping[str, int] | None = None,
) -> VerificationReport:
    with bulk_work():
        verification = _Verification(src, trusted_keys(keys), ordered, excerpts or {})
        verification.first_pass()
        verification.second_pass()
        return verification.report(source)


class _Verification:
    def __init__(
        self,
        src: ItemSource,
        trusted: dict[str, Ed25519PublicKey],
        ordered: bool,
        excerpts: Mapping[str, int],
    ) -> None:
        self.src, self.trusted, self.ordered = src, trusted, ordered
        self.excerpts = excerpts
        self.results: dict[str, tuple[list[Finding], StreamSummary]] = {}
        self.troubled: dict[str, list[Item]] = {}  # streams to place again, with their items
        self.suspects: list[Item] = []  # records that did not chain where they were found
        self.openings: dict[int, list[tuple[str, Tip]]] = {}
        self.walks: dict[str, StreamWalk] = {}
        self.unplaced: list[Item] = []
        device = src.stream_items(DEVICE_STREAM)
        self.steps = clock_steps(device)
        # Positions are row ids, one order for every stream, in a journal file only: a
        # ``MemorySource`` numbers its input, which may hold one stream after another.
        journal = ordered and not isinstance(src, MemorySource)
        self.windows = closed_windows(device) if journal else []

    def first_pass(self) -> None:
        """Place each stream alone; keep only the streams where something does not fit."""
        for name in self.src.stream_names():
            items = self.src.stream_items(name)
            walk = walk_stream(name, items, first_seq=self.excerpts.get(name, 1))
            _note_openings(walk, self.openings)
            doubtful = walk.suspects()
            if doubtful or any(hole.last is not None for hole in walk.holes):
                self.troubled[name] = items
                self.suspects += doubtful
            else:
                self.results[name] = self._findings(walk)

    def second_pass(self) -> None:
        """Move failed records to the stream and seq where they chain, then place again."""
        loose = self.src.loose_items()
        lost = [i for i in loose if isinstance(i.entry, Record)]  # readable but for its stream
        self.unplaced += [i for i in loose if not isinstance(i.entry, Record)]
        if not self.troubled and not lost:
            return
        targets = _relabel_across_streams(self.suspects + lost, self.openings)
        self.unplaced += [i for i in lost if i.stream == LOST_STREAM]
        found = [i for i in lost if i.stream != LOST_STREAM]
        clean_targets = sorted(targets - self.troubled.keys())
        reloaded = [i for name in clean_targets for i in self.src.stream_items(name)]
        groups: dict[str, list[Item]] = {name: [] for name in self.troubled}
        for item in [i for items in self.troubled.values() for i in items] + reloaded + found:
            groups.setdefault(str(item.stream), []).append(item)
        pools: dict[str, list[Item]] = {}
        for item in self.suspects + found:
            pools.setdefault(str(item.stream), []).append(item)
        for name, items in groups.items():
            self.results.pop(name, None)
            if not items:
                continue  # every record labelled with it belongs to another stream
            pool = pools.get(name, [])
            pool = pool if len(pool) <= MAX_POOL else []
            walk = walk_stream(name, items, pool, self.excerpts.get(name, 1))
            self.results[name] = self._findings(walk)
            self.unplaced += walk.unused
            self.walks[name] = walk

    def _findings(self, walk: StreamWalk) -> tuple[list[Finding], StreamSummary]:
        findings, summary = stream_findings(walk, self.trusted, self.ordered)
        findings += noted_findings(walk) + after_close_findings(walk, self.windows, findings)
        findings.sort(key=lambda f: (f.seq or 0, f.kind.value))
        # Stamps are judged on a stream found intact: damage found is located already.
        if self.ordered and not any(f.severity is FindingSeverity.ERROR for f in findings):
            findings += time_findings(walk, self.steps)
        return findings, summary

    def report(self, source: str) -> VerificationReport:
        if self.ordered:
            for item in self.unplaced:
                if item.stream in self.walks and item.seq is None:
                    seq = _seq_by_position(self.walks[item.stream], item)
                    item.label = (item.label[0], seq)
        report = VerificationReport(source, tuple(sorted(self.trusted)))
        for name in sorted(self.results):
            findings, summary = self.results[name]
            report.findings += findings
            report.streams.append(summary)
        report.findings += unplaced_findings(self.unplaced)
        return report


def _seq_by_position(walk: StreamWalk, item: Item) -> int | None:
    """The empty slot an entry with an unreadable seq sits at by its place in the file."""
    before = [s for s in walk.slots if s.item.position < item.position]
    seq = max((s.seq for s in before), default=0) + 1
    taken = {s.seq for s in walk.slots}
    return seq if seq not in taken else None


def _note_openings(walk: StreamWalk, openings: dict[int, list[tuple[str, Tip]]]) -> None:
    """Remember each empty slot whose predecessor is known: a moved record may belong there."""
    for hole in walk.holes:
        if hole.tip_before is not None:
            openings.setdefault(hole.first, []).append((walk.stream, hole.tip_before))


def _relabel_across_streams(
    suspects: list[Item], openings: dict[int, list[tuple[str, Tip]]]
) -> set[str]:
    """Give a failed record the stream where it chains (its stream field was changed)."""
    targets: set[str] = set()
    if len(suspects) > MAX_CROSS:
        return targets
    for item in suspects:
        if not isinstance(item.entry, Record) or item.seq is None:
            continue
        for stream, tip in openings.get(item.seq, ()):
            if stream != item.stream and item.chains_from(tip, stream, item.seq) is not None:
                item.stream = stream
                targets.add(stream)
                break
    return targets
