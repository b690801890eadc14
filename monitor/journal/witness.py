"""Heads published outside the device (InfluxDB, MQTT) against the records held now.

A rewrite made with the device's own key leaves a consistent chain, validly signed: the
verifier alone cannot see it. What it cannot change is a head already published elsewhere.
Each published head (a stream's latest checkpoint or seal) must be in the records at its seq
with its hash; one that is not was rewritten after it went out, and one beyond the end of the
stream names records that were cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.reader import JournalReader
from monitor.journal.record import Record, Unreadable
from monitor.journal.signing import check_signed_record
from monitor.journal.verification import Finding, FindingKind

K = FindingKind


@dataclass(frozen=True, slots=True)
class PublishedHead:
    """A head as a witness holds it; ``witness`` says where it was read."""

    entry: Record | Unreadable
    witness: str


class HeldRecords(Protocol):
    """The records a journal or bundle holds, as far as heads are compared with them."""

    def holds(self, stream: str) -> bool: ...

    def last_seq(self, stream: str) -> int: ...

    def hashes_at(self, stream: str, seq: int) -> set[bytes]: ...


class EntriesHeld:
    """The records of a bundle (or any list)."""

    def __init__(self, entries: Iterable[Record | Unreadable]) -> None:
        self._hashes: dict[tuple[str, int], set[bytes]] = {}
        self._last: dict[str, int] = {}
        for e in entries:
            if e.stream is None or e.seq is None:
                continue
            self._last[e.stream] = max(self._last.get(e.stream, 0), e.seq)
            if e.hash is not None:
                self._hashes.setdefault((e.stream, e.seq), set()).add(e.hash)

    def holds(self, stream: str) -> bool:
        return stream in self._last

    def last_seq(self, stream: str) -> int:
        return self._last.get(stream, 0)

    def hashes_at(self, stream: str, seq: int) -> set[bytes]:
        return self._hashes.get((stream, seq), set())


class JournalHeld:
    """The records of a journal, read stream by stream when a head names it."""

    def __init__(self, reader: JournalReader) -> None:
        self._reader = reader

    def holds(self, stream: str) -> bool:
        return self._reader.stream_head(stream) is not None

    def last_seq(self, stream: str) -> int:
        head = self._reader.stream_head(stream)
        return head[0] if head is not None else 0

    def hashes_at(self, stream: str, seq: int) -> set[bytes]:
        entries = self._reader.stream_entries(stream)
        return {e.hash for _, e in entries if e.seq == seq and e.hash is not None}


def compare_heads(
    published: Sequence[PublishedHead],
    held: HeldRecords,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    what: str,
    whole: bool,
) -> tuple[list[Finding], list[str]]:
    """Findings and notes; ``what``: "journal" or "bundle"; ``whole``: the records are all
    the unit has (a journal), so a published stream they lack entirely was deleted."""
    findings: list[Finding] = []
    notes: list[str] = []
    found = compared = 0
    unread = [h for h in published if not isinstance(h.entry, Record)]
    heads = {
        (h.entry.stream, h.entry.seq, h.entry.hash, h.witness): (h.entry, h.witness)
        for h in published
        if isinstance(h.entry, Record)
    }
    for _, (head, witness) in sorted(heads.items()):
        if not whole and not held.holds(head.stream):
            continue  # a stream of the unit that is not part of this bundle
        problems = check_signed_record(head, keys, None)
        if any(p.kind is not K.WRONG_KEY for p in problems):
            why = "; ".join(p.message for p in problems)
            notes.append(
                f"published head {head.location} ({witness}) does not verify ({why}): not "
                "compared, it may not come from the device"
            )
            continue
        findings += [Finding(p.kind, head.stream, head.seq, f"published head: {p.message}",
                             where=witness) for p in problems]  # fmt: skip
        compared += 1
        finding = _compare(head, held, what, witness)
        if finding is None:
            found += 1
        else:
            findings.append(finding)
    if published:
        notes.append(f"{found} published head(s) found in the {what}, of {compared} compared")
    for bad in unread:
        assert isinstance(bad.entry, Unreadable)
        notes.append(f"a published head ({bad.witness}) cannot be read: {bad.entry.reason}")
    return findings, notes


def _compare(head: Record, held: HeldRecords, what: str, witness: str) -> Finding | None:
    stream, seq = head.stream, head.seq
    said = f"stream {stream}: published head #{seq} {_short(head.hash)}"
    if not held.holds(stream):
        message = f"{said} is not in the {what}: the whole stream is missing (missing records)"
        return Finding(K.MISSING, stream, 1, message, seq, where=witness)
    last = held.last_seq(stream)
    if seq > last:
        message = (
            f"{said} is beyond the {what}'s end (#{last}): missing records #{last + 1}..#{seq}"
        )
        return Finding(K.MISSING, stream, last + 1, message, seq, where=witness)
    hashes = held.hashes_at(stream, seq)
    if head.hash in hashes:
        return None
    holds = " or ".join(sorted(_short(h) for h in hashes)) if hashes else "no record"
    message = (
        f"{said} is not in the {what}: rewritten after it was published (the {what} holds "
        f"{holds} at #{seq})"
    )
    return Finding(K.REWRITTEN, stream, seq, message, where=witness)


def _short(digest: bytes) -> str:
    return digest.hex()[:16] + "…"
