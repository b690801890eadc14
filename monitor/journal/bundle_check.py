"""A bundle's records against what its signed header says: heads, sealed streams, signature.

The records alone cannot show that the end of a stream was cut: the chain just stops sooner.
The header, signed by the device at export, records where each stream ended and which streams
the journal had sealed, so a cut shows as a stream shorter than its head, or one that no
longer ends at its seal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.bundle import BundleHeader
from monitor.journal.bundle_signing import header_signature_findings
from monitor.journal.record import Record, Unreadable
from monitor.journal.signing import SEAL
from monitor.journal.verification import (
    Finding,
    FindingKind,
    FindingSeverity,
    StreamSummary,
    VerificationReport,
)

K = FindingKind


def header_findings(
    header: BundleHeader,
    report: VerificationReport,
    entries: Sequence[Record | Unreadable],
    keys: Mapping[str, Ed25519PublicKey],
) -> list[Finding]:
    """The header's signature checked with ``keys``, then each stream against the header."""
    seen = {s.stream: s for s in report.streams}
    findings = header_signature_findings(header, keys)
    findings += _head_findings(header, report, entries, seen)
    findings += _seal_findings(header, report, entries, seen)
    return findings


def _head_findings(
    header: BundleHeader,
    report: VerificationReport,
    entries: Sequence[Record | Unreadable],
    seen: dict[str, StreamSummary],
) -> list[Finding]:
    findings = []
    hashes = {(e.stream, e.seq, e.hash) for e in entries}
    for stream, (seq, head_hex) in sorted(header.heads.items()):
        summary = seen.get(stream)
        if summary is None:
            findings.append(
                Finding(
                    K.MISSING,
                    stream,
                    None,
                    "named in the bundle header, but no record of it is here",
                )
            )
        elif summary.last_seq < seq:
            findings.append(
                Finding(
                    K.MISSING,
                    stream,
                    summary.last_seq + 1,
                    f"the header says the stream ends at #{seq}; the bundle "
                    f"stops at #{summary.last_seq}: records were cut",
                    seq,
                )
            )
        elif summary.last_seq > seq:
            findings.append(
                Finding(
                    K.INSERTED,
                    stream,
                    seq + 1,
                    f"records after #{seq}, the head the header names",
                    summary.last_seq,
                )
            )
        elif (stream, seq, _hex(head_hex)) not in hashes and not report.at(stream, seq):
            findings.append(
                Finding(
                    K.ALTERED, stream, seq, "the last record's hash is not the one the header names"
                )
            )
    for stream in sorted(set(seen) - set(header.heads)):
        findings.append(
            Finding(K.INSERTED, stream, None, "a stream the bundle header does not name")
        )
    return findings


def _seal_findings(
    header: BundleHeader,
    report: VerificationReport,
    entries: Sequence[Record | Unreadable],
    seen: dict[str, StreamSummary],
) -> list[Finding]:
    """A stream the journal had sealed must end at its seal. Records after a valid seal are
    reported already (``after_seal``), and so is a last record that is itself damaged (a seal
    that does not verify, or one whose kind was changed)."""
    unsealed = {
        s
        for s in header.sealed
        if s in seen and not seen[s].sealed and not _damaged(report, s, seen[s].last_seq)
    }
    if not unsealed:
        return []
    last_kinds: dict[str, tuple[int, str]] = {}
    for entry in entries:
        if not isinstance(entry, Record) or entry.stream not in unsealed:
            continue
        if entry.seq >= last_kinds.get(entry.stream, (0, ""))[0]:
            last_kinds[entry.stream] = (entry.seq, entry.kind)
    findings = []
    for stream in sorted(unsealed):
        last = seen[stream].last_seq
        at, kind = last_kinds.get(stream, (0, ""))
        if at == last and kind == SEAL:
            continue
        findings.append(
            Finding(
                K.NOT_SEALED,
                stream,
                last + 1,
                f"not sealed: the journal had sealed this stream when the bundle was made, but "
                f"it ends at #{last} ({kind or 'unreadable'}), not at its seal: records were "
                "cut from its end",
            )
        )
    return findings


def _damaged(report: VerificationReport, stream: str, seq: int) -> bool:
    return any(f.severity is FindingSeverity.ERROR for f in report.at(stream, seq))


def _hex(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None
