"""What a placed stream says: damaged records, holes, order, signatures, seal and unsigned tail."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import replace
from itertools import pairwise

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.canonical import chain_hash
from monitor.journal.chain import Item, Slot, SlotStatus, StreamWalk
from monitor.journal.record import Record, Unreadable
from monitor.journal.rowcodec import LOST_STREAM
from monitor.journal.signing import SEAL, SIGNED_KINDS, check_signed_record
from monitor.journal.verification import Finding, FindingKind, StreamSummary

K = FindingKind


def stream_findings(
    walk: StreamWalk, keys: Mapping[str, Ed25519PublicKey], ordered: bool
) -> tuple[list[Finding], StreamSummary]:
    """Every finding about one stream, in seq order, and its summary."""
    stream, slots = walk.stream, walk.slots
    by_seq = {slot.seq: slot for slot in slots}
    findings: list[Finding] = []
    intact = SlotStatus.INTACT
    for slot in slots:
        item, entry = slot.item, slot.item.entry
        if (
            slot.status is intact
            and isinstance(entry, Record)
            and entry.prev_hash is None
            and item.label == (stream, slot.seq)
        ):
            continue  # the usual record: in place, chained, nothing to say
        findings += _slot_findings(stream, slot, by_seq)
    for hole in walk.holes:
        if hole.last is not None:
            count = hole.last - hole.first + 1
            findings.append(
                Finding(
                    K.MISSING,
                    stream,
                    hole.first,
                    f"{count} record(s) missing: the sequence jumps from #{hole.first - 1} "
                    f"to #{hole.last + 1}",
                    hole.last,
                )
            )
    if ordered:
        findings += _order_findings(stream, slots)
    signature_findings, summary = _signature_findings(stream, slots, keys)
    findings += signature_findings
    findings.sort(key=lambda f: (f.seq or 0, f.kind.value))
    return findings, summary


def unplaced_findings(items: list[Item]) -> list[Finding]:
    """Items the chain has no place for: extra records, or entries that cannot be read."""
    findings = []
    for item in items:
        stream, seq = item.label
        entry = item.entry
        if stream == LOST_STREAM:
            findings.append(
                Finding(K.MALFORMED, None, None, "its stream id names no stream", where=item.where)
            )
        elif isinstance(entry, Unreadable):
            findings.append(
                Finding(
                    K.MALFORMED,
                    stream,
                    seq,
                    f"cannot be read as a record: {entry.reason}"
                    + (
                        f" (by its place, it stands for #{seq})"
                        if entry.seq is None and seq
                        else ""
                    ),
                    where=item.where,
                )
            )
        else:
            findings.append(
                Finding(
                    K.INSERTED,
                    stream,
                    seq,
                    "an extra record that is not part of the chain (the chain continues "
                    "from another record with this seq, or it chains from nothing)",
                    where=item.where,
                )
            )
    return findings


def _slot_findings(stream: str, slot: Slot, by_seq: dict[int, Slot]) -> list[Finding]:
    item, t = slot.item, slot.seq
    where = item.where
    label_stream, label_seq = item.label
    if (label_stream, label_seq) != (stream, t):
        partner = (
            by_seq.get(label_seq) if label_stream == stream and label_seq is not None else None
        )
        if partner is not None and partner.item.label == (stream, t):
            return [
                Finding(
                    K.REORDERED,
                    stream,
                    t,
                    f"holds the record of #{label_seq}: #{t} and #{label_seq} were swapped",
                    where=where,
                )
            ]
        return [
            Finding(
                K.ALTERED,
                stream,
                t,
                f"found as {label_stream}#{label_seq}: its stream or seq field was changed "
                "(it chains here)",
                where=where,
            )
        ]
    entry = item.entry
    claimed = entry.prev_hash if isinstance(entry, Record) else None
    if slot.status is SlotStatus.UNCHECKED:
        return [
            Finding(
                K.UNVERIFIABLE,
                stream,
                t,
                "follows a missing record and this source does not store prev_hash: its "
                "content cannot be checked",
                where=where,
            )
        ]
    if slot.status is not SlotStatus.FAILED:
        if claimed is not None and slot.chained_from is not None and claimed != slot.chained_from:
            return [
                Finding(
                    K.ALTERED,
                    stream,
                    t,
                    "its prev_hash field was changed (its content and hash still chain)",
                    where=where,
                )
            ]
        return []
    return [Finding(K.ALTERED, stream, t, _failure_message(slot, by_seq.get(t + 1)), where=where)]


def _failure_message(slot: Slot, following: Slot | None) -> str:
    entry = slot.item.entry
    if isinstance(entry, Unreadable):
        return f"cannot be read: {entry.reason}"
    canonical = slot.item.canonical
    if canonical is None:
        return "holds a value that has no canonical form"
    if slot.tip_before is None:
        return "does not match its own prev_hash and hash"
    if entry.prev_hash is not None and chain_hash(entry.prev_hash, canonical) == entry.hash:
        return (
            f"chains from a prev_hash that is not the hash of #{slot.seq - 1}: this record, or "
            "those before it since the last valid checkpoint, were rewritten with new hashes"
        )
    via = following.via if following is not None else ""
    if via == "stored":
        return "its content was changed (its stored hash is the one the next record chains to)"
    if via == "recomputed":
        return "its stored hash was changed (its content still chains)"
    return f"its content or its hash was changed (it does not chain from #{slot.seq - 1})"


def _order_findings(stream: str, slots: list[Slot]) -> list[Finding]:
    """Records stored out of seq order: those outside the longest in-order run are reported."""
    placed = [s for s in slots if s.item.label == (stream, s.seq)]
    positions = [s.item.position for s in placed]
    if all(a < b for a, b in pairwise(positions)):
        return []
    keep = set(_longest_increasing(positions))
    return [
        Finding(
            K.REORDERED,
            stream,
            s.seq,
            "stored out of sequence order: the order of the file was changed",
            where=s.item.where,
        )
        for i, s in enumerate(placed)
        if i not in keep
    ]


def _longest_increasing(values: list[int]) -> list[int]:
    """Indexes of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k], tail_index[k] = value, i
        parent[i] = tail_index[k - 1] if k else -1
    out, i = [], tail_index[-1] if tail_index else -1
    while i != -1:
        out.append(i)
        i = parent[i]
    return out[::-1]


def _signature_findings(
    stream: str, slots: list[Slot], keys: Mapping[str, Ed25519PublicKey]
) -> tuple[list[Finding], StreamSummary]:
    findings: list[Finding] = []
    signed_up_to, sealed_at = 0, None
    for slot in slots:
        entry, t = slot.item.entry, slot.seq
        if sealed_at is not None:
            findings.append(
                Finding(
                    K.AFTER_SEAL,
                    stream,
                    t,
                    f"appended after the seal at #{sealed_at}",
                    where=slot.item.where,
                )
            )
            continue
        if not isinstance(entry, Record) or entry.kind not in SIGNED_KINDS:
            continue
        if (entry.stream, entry.seq) != (stream, t):
            entry = replace(entry, stream=stream, seq=t)  # judged where it chains
        problems = check_signed_record(entry, keys, slot.tip_before)
        findings += [Finding(p.kind, stream, t, p.message, where=slot.item.where) for p in problems]
        if not problems:
            signed_up_to = t
            if entry.kind == SEAL:
                sealed_at = t  # a seal whose signature fails seals nothing
    last = slots[-1].seq if slots else 0
    end = sealed_at if sealed_at is not None else last
    unsigned = [s for s in slots if signed_up_to < s.seq <= end]
    if unsigned:
        findings.append(
            Finding(
                K.UNSIGNED_TAIL,
                stream,
                unsigned[0].seq,
                f"{len(unsigned)} record(s) after the last valid signature (#{signed_up_to}) "
                "are not signed yet: normal for an open stream or the crash window; an "
                "attacker could also have changed or cut them",
                unsigned[-1].seq,
            )
        )
    return findings, StreamSummary(stream, len(slots), last, sealed_at is not None, signed_up_to)
