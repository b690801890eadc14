"""The plain functions the command line calls: make a key, verify a journal, export a lot
bundle, verify a bundle. Each raises a ``JournalError`` with a clear message, or returns."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.bundle import BundleHeader, read_bundle, write_bundle
from monitor.journal.chain import Item
from monitor.journal.dossier import LotDossier, fold_lot
from monitor.journal.errors import BundleError, PublicKeyError
from monitor.journal.keys import generate_key_file, key_id_of, parse_public_key, public_key_b64
from monitor.journal.reader import JournalReader
from monitor.journal.record import Record, Unreadable
from monitor.journal.report import Finding, FindingKind, Report
from monitor.journal.streams import lot_stream, parse_enclosure_day
from monitor.journal.verify import bulk_work, verify_records, verify_source

PublicKeyInput = Ed25519PublicKey | str | bytes


def keygen(path: Path) -> tuple[str, str]:
    """Create the device key file; returns (public key in base64, key id)."""
    key = generate_key_file(Path(path))
    return public_key_b64(key.public), key.key_id


def verify_journal(path: Path, public_key: PublicKeyInput) -> Report:
    """Verify every stream of a journal (read-only; fine while the daemon writes)."""
    key = _public_key(public_key)
    with JournalReader(Path(path)) as reader, reader.snapshot():
        report = verify_source(_JournalSource(reader), key, ordered=True, source=str(path))
        for first, last in reader.row_gaps():
            report.findings.append(
                Finding(
                    FindingKind.MISSING,
                    None,
                    None,
                    f"row ids {first}..{last} are absent: rows were deleted from the file "
                    "(the seq gaps above say which records, unless a stream lost its "
                    "last one)",
                    where=f"rows {first}..{last}",
                )
            )
        stored = reader.device_keys()
        if stored and key_id_of(key) not in stored:
            report.notes.append(
                f"the journal names its device key(s) {', '.join(stored)}, not the given key"
            )
        state = reader.session().state.value
        report.notes.append(f"latest writer session: {state} (unclean while the daemon runs)")
    return report


class _JournalSource:
    def __init__(self, reader: JournalReader) -> None:
        self._reader = reader

    def stream_names(self) -> list[str]:
        return self._reader.stream_names()

    def stream_items(self, stream: str) -> list[Item]:
        return [Item(e, row, f"row {row}") for row, e in self._reader.stream_entries(stream)]

    def loose_items(self) -> list[Item]:
        return [Item(e, row, f"row {row}") for row, e in self._reader.loose_entries()]


@dataclass(frozen=True, slots=True)
class BundleExport:
    path: Path
    lot: str
    streams: list[str]
    records: int


def export_lot_bundle(
    journal_path: Path, lot: str, out_path: Path, *, time_zone: str | None = None
) -> BundleExport:
    """Write the lot's stream, its cycles and the enclosure-days of its stays, whole.

    Enclosure-days are chosen by the local dates of each stay in ``time_zone``; without it,
    one more day on each side of the UTC dates, which covers every time zone.
    """
    out_path = Path(out_path)
    with JournalReader(Path(journal_path)) as reader, reader.snapshot():
        lot_records = reader.stream_records(lot_stream(lot))
        if not lot_records:
            raise BundleError(f"{journal_path}: no lot {lot} in this journal")
        dossier = fold_lot(lot, lot_records)
        streams = [lot_stream(lot)]
        streams += list(dict.fromkeys(c.cycle for c in dossier.cycles))
        streams += _enclosure_days(reader.stream_names(), dossier, time_zone)
        heads = {}
        for stream in streams:
            head = reader.stream_head(stream)
            if head is not None:
                heads[stream] = (head[0], head[1].hex())
        keys = reader.device_keys()
        if not keys:
            raise BundleError(f"{journal_path}: the journal holds no device public key")
        header = BundleHeader(
            lot,
            {kid: public_key_b64(k) for kid, k in keys.items()},
            list(keys)[-1],
            heads,
            time.time_ns(),
        )
        present = [s for s in streams if s in heads]
        count = write_bundle(out_path, header, (reader.stream_records(s) for s in present))
    return BundleExport(out_path, lot, present, count)


def verify_bundle(path: Path, public_key: PublicKeyInput | None = None) -> Report:
    """Verify a bundle with the given key, or with the key its header names (less proof)."""
    with bulk_work():
        header, entries = read_bundle(Path(path))
    try:
        named = {kid: parse_public_key(b64) for kid, b64 in header.keys.items()}
    except PublicKeyError as exc:
        raise BundleError(f"{path}: the header's public key cannot be read ({exc})") from None
    if public_key is None:
        trusted = list(named.values())
        note = (
            f"verified with the key named in the bundle itself ({', '.join(named)}): compare "
            "this key id with the device's published key id"
        )
    else:
        given = _public_key(public_key)
        trusted = [given]
        note = f"verified with the given key {key_id_of(given)}"
        if key_id_of(given) not in named:
            note += f", which differs from the key the bundle names ({', '.join(named)})"
    report = verify_records(entries, trusted, ordered=True, source=str(path))
    report.notes.append(note)
    report.findings += _header_findings(header, report, entries)
    return report


def _header_findings(
    header: BundleHeader, report: Report, entries: list[Record | Unreadable]
) -> list[Finding]:
    """Compare the streams with the heads the header recorded at export."""
    findings = []
    seen = {s.stream: s for s in report.streams}
    hashes = {(e.stream, e.seq, e.hash) for e in entries}
    for stream, (seq, head_hex) in sorted(header.heads.items()):
        summary = seen.get(stream)
        if summary is None:
            findings.append(
                Finding(
                    FindingKind.MISSING,
                    stream,
                    None,
                    "named in the bundle header, but no record of it is here",
                )
            )
        elif summary.last_seq < seq:
            findings.append(
                Finding(
                    FindingKind.MISSING,
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
                    FindingKind.INSERTED,
                    stream,
                    seq + 1,
                    f"records after #{seq}, the head the header names",
                    summary.last_seq,
                )
            )
        elif (stream, seq, bytes.fromhex(head_hex)) not in hashes and not report.at(stream, seq):
            findings.append(
                Finding(
                    FindingKind.ALTERED,
                    stream,
                    seq,
                    "the last record's hash is not the one the header names",
                )
            )
    for stream in sorted(set(seen) - set(header.heads)):
        findings.append(
            Finding(FindingKind.INSERTED, stream, None, "a stream the bundle header does not name")
        )
    return findings


def _enclosure_days(names: list[str], dossier: LotDossier, time_zone: str | None) -> list[str]:
    zone = ZoneInfo(time_zone) if time_zone else None
    margin = timedelta(days=0 if zone else 1)
    chosen: list[str] = []
    for stay in dossier.stays:
        first = _day(stay.in_ts, zone) - margin
        last = _day(stay.out_ts, zone) + margin if stay.out_ts is not None else date.max
        for name in names:
            parsed = parse_enclosure_day(name)
            if parsed and parsed[0] == stay.enclosure and first <= parsed[1] <= last:
                chosen.append(name)
    return sorted(dict.fromkeys(chosen))


def _day(ts: int, zone: ZoneInfo | None) -> date:
    return datetime.fromtimestamp(ts / 1e9, tz=zone or UTC).date()


def _public_key(value: PublicKeyInput) -> Ed25519PublicKey:
    return value if isinstance(value, Ed25519PublicKey) else parse_public_key(value)
