"""The plain functions the command line calls: make a key, verify a journal, export a lot
bundle, verify a bundle. Each raises a ``JournalError`` with a clear message, or returns.

Which keys are trusted is a ``trust.Trust``: without one, records are checked with the keys
they came with, which shows them intact but not who signed them (``signer_established``).
Heads published outside the device (``witness.PublishedHead``) are compared when given.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal import bundle_alarms
from monitor.journal.bundle import BundleHeader, read_bundle, write_bundle
from monitor.journal.bundle_check import header_findings
from monitor.journal.bundle_rotations import (
    excerpt_start,
    heads_to_compare,
    rotation_excerpt,
    rotation_records,
)
from monitor.journal.bundle_signing import sign_header
from monitor.journal.chain import Item
from monitor.journal.contents import bundle_contents
from monitor.journal.dossier import LotDossier, fold_lot
from monitor.journal.errors import BundleError, PublicKeyError
from monitor.journal.key_rotation import KEY_ROTATED
from monitor.journal.keys import DeviceKey, generate_key_file, parse_public_key, public_key_b64
from monitor.journal.reader import JournalReader
from monitor.journal.record import Record, Unreadable
from monitor.journal.signing import SEAL
from monitor.journal.streams import ALARM_STREAM, DEVICE_STREAM, lot_stream, parse_enclosure_day
from monitor.journal.trust import PublicKeyInput, Trust, as_trust, decide
from monitor.journal.verification import Finding, FindingKind, VerificationReport
from monitor.journal.verify import bulk_work, trusted_keys, verify_records, verify_source
from monitor.journal.witness import EntriesHeld, JournalHeld, PublishedHead, compare_heads

TrustInput = Trust | PublicKeyInput | None


def keygen(path: Path) -> tuple[str, str]:
    """Create the device key file; returns (public key in base64, key id)."""
    key = generate_key_file(Path(path))
    return public_key_b64(key.public), key.key_id


def verify_journal(
    path: Path,
    trust: TrustInput = None,
    *,
    carried: Iterable[Ed25519PublicKey] = (),
    published: Sequence[PublishedHead] = (),
) -> VerificationReport:
    """Verify every stream of a journal (read-only; fine while the daemon writes).

    ``carried``: keys found beside the journal (the settings' key file), trusted only when
    pinned, like the keys the journal stores; ``published``: heads to find in the journal.
    """
    with JournalReader(Path(path)) as reader, reader.snapshot():
        stored = {**trusted_keys(carried), **reader.device_keys()}
        rotations = reader.records_of_kind(KEY_ROTATED, DEVICE_STREAM)
        decision = decide(as_trust(trust), stored, "the key(s) the journal stores", rotations)
        report = verify_source(
            _JournalSource(reader), decision.keys.values(), ordered=True, source=str(path)
        )
        decision.apply(report)
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
        held = JournalHeld(reader)
        findings, notes = compare_heads(published, held, decision.keys, what="journal", whole=True)
        report.findings += findings
        report.notes += notes
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
    header: BundleHeader
    kept: list[Record]  # the records written, in file order, when asked for (``keep``)


def export_lot_bundle(
    journal_path: Path,
    lot: str,
    out_path: Path,
    *,
    key: DeviceKey,
    time_zone: str | None = None,
    keep: bool = False,
) -> BundleExport:
    """Write the lot's stream, its cycles and the enclosure-days of its stays, whole, under a
    header signed with ``key`` (the device key, one of those the journal stores), the slice
    of the alarms stream that covers its cycles (``bundle_alarms``), and the device records
    of its key rotations (``bundle_rotations``) when the key was rotated.

    Enclosure-days are chosen by the local dates of each stay in ``time_zone``; without it,
    one more day on each side of the UTC dates, which covers every time zone. With ``keep``
    the records written come back in ``BundleExport.kept``.
    """
    out_path = Path(out_path)
    kept: list[Record] | None = [] if keep else None
    with JournalReader(Path(journal_path)) as reader, reader.snapshot():
        lot_records = reader.stream_records(lot_stream(lot))
        if not lot_records:
            raise BundleError(f"{journal_path}: no lot {lot} in this journal")
        stored = reader.device_keys()
        if key.key_id not in stored:
            raise BundleError(
                f"{journal_path}: key {key.key_id} is not one of the journal's device keys "
                f"({', '.join(stored) or 'none'}): it did not sign these records"
            )
        dossier = fold_lot(lot, lot_records)
        cycles = list(dict.fromkeys(c.cycle for c in dossier.cycles))
        streams = [lot_stream(lot), *cycles]
        streams += _enclosure_days(reader.stream_names(), dossier, time_zone)
        heads, sealed = {}, set()
        for stream in streams:
            head = reader.stream_head(stream)
            if head is not None:
                heads[stream] = (head[0], head[1].hex())
                seal = reader.last_of_kind(stream, SEAL)
                if seal is not None and seal[1].seq == head[0]:
                    sealed.add(stream)
        excerpt = []
        if reader.records_of_kind(KEY_ROTATED, DEVICE_STREAM):
            excerpt = rotation_excerpt(reader.stream_records(DEVICE_STREAM))
        if excerpt:
            heads[DEVICE_STREAM] = (excerpt[-1].seq, excerpt[-1].hash.hex())
        alarms = _alarm_slice(reader, cycles)
        if alarms:
            heads[ALARM_STREAM] = (alarms[-1].seq, alarms[-1].hash.hex())
        keys = {kid: public_key_b64(k) for kid, k in stored.items()}
        header = BundleHeader(lot, keys, key.key_id, heads, time.time_ns(), frozenset(sealed))
        present = [s for s in streams if s in heads]
        records = (reader.stream_records(s) for s in present)
        extra = [part for part in (alarms, excerpt) if part]
        header = sign_header(header, key)
        count = write_bundle(out_path, header, itertools.chain(records, extra), kept)
        present += [s for s, part in ((ALARM_STREAM, alarms), (DEVICE_STREAM, excerpt)) if part]
    return BundleExport(out_path, lot, present, count, header, kept or [])


def verify_bundle(
    path: Path, trust: TrustInput = None, *, published: Sequence[PublishedHead] = ()
) -> VerificationReport:
    """Verify a bundle, its signed header included, and say what its records state.

    Without a trusted key, it is checked with the keys its own header names: that shows it
    intact, not who signed it.
    """
    with bulk_work():
        header, entries = read_bundle(Path(path))
    return verify_bundle_entries(header, entries, trust, published=published, source=str(path))


def verify_bundle_entries(
    header: BundleHeader,
    entries: list[Record | Unreadable],
    trust: TrustInput = None,
    *,
    published: Sequence[PublishedHead] = (),
    source: str = "bundle",
) -> VerificationReport:
    """``verify_bundle`` on a bundle already read (``bundle.read_bundle``): a caller that
    also shows the records reads the file once."""
    try:
        named = {kid: parse_public_key(b64) for kid, b64 in header.keys.items()}
    except PublicKeyError as exc:
        raise BundleError(f"{source}: the header's public key cannot be read ({exc})") from None
    rotations = rotation_records(entries)
    decision = decide(as_trust(trust), named, "the key(s) the bundle names", rotations)
    start = excerpt_start(entries)
    alarm_start = bundle_alarms.slice_start(entries)
    excerpts = {DEVICE_STREAM: start} if start is not None else {}
    if alarm_start is not None:
        excerpts[ALARM_STREAM] = alarm_start
    report = verify_records(
        entries, decision.keys.values(), ordered=True, source=source, excerpts=excerpts
    )
    decision.apply(report)
    if start is not None:
        report.notes.append(
            f"the bundle carries the {DEVICE_STREAM} stream from #{start}: its key rotations "
            "and the signature over them"
        )
    report.findings += header_findings(header, report, entries, decision.keys)
    report.findings += bundle_alarms.slice_findings(entries, alarm_start)
    alarm_end = header.heads.get(ALARM_STREAM, (0, ""))[0]
    report.notes += bundle_alarms.slice_note(alarm_start, alarm_end)
    end = header.heads.get(DEVICE_STREAM, (0, ""))[0]
    compared, skipped = heads_to_compare(published, start, end)
    compared, more = bundle_alarms.heads_to_compare(compared, alarm_start, alarm_end)
    skipped += more
    if published:  # indexing every record's hash costs a fifth of a verification
        findings, notes = compare_heads(
            compared, EntriesHeld(entries), decision.keys, what="bundle", whole=False
        )
        report.findings += findings
        report.notes += skipped + notes
    report.contents = bundle_contents(header.lot, entries)
    return report


def _alarm_slice(reader: JournalReader, cycles: list[str]) -> list[Record]:
    """The alarm records that cover the cycles' time, from their first record to their last
    (to now for a cycle still open)."""
    spans = [span for cycle in cycles if (span := reader.stream_span(cycle)) is not None]
    if not spans:
        return []
    start, end = min(s[0] for s in spans), max(s[1] for s in spans)
    return bundle_alarms.alarm_slice(reader.stream_records(ALARM_STREAM), start, end)


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
