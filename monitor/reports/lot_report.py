"""What a lot dossier shows, built from a bundle's records and their verification alone.

The same bundle gives the same report on any machine: nothing here reads a journal or a
settings file. The time zone is given by the caller (a bundle's header does not carry it),
and the report names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.journal.dossier import LotDossier, fold_lot
from monitor.journal.record import FieldValue
from monitor.journal.streams import ALARM_STREAM, lot_stream
from monitor.journal.verification import VerificationReport
from monitor.reports.bundle_view import BundleView
from monitor.reports.cycle_alarms import AlarmLine, EventLine, cycle_alarm_lines, cycle_event_lines
from monitor.reports.cycle_curve import CycleCurve, build_curve
from monitor.reports.cycle_summary import CycleSummary, summarise_cycle
from monitor.reports.stay_history import StayHistory, stay_histories


@dataclass(slots=True)
class CycleSection:
    cycle: str
    voided: bool
    summary: CycleSummary | None  # None: the bundle does not carry the cycle's stream
    curve: CycleCurve | None = None
    events: list[EventLine] = field(default_factory=list)
    alarms: list[AlarmLine] = field(default_factory=list)
    start_fields: dict[str, FieldValue] = field(default_factory=dict)  # of cycle_started


@dataclass(frozen=True, slots=True)
class Head:
    stream: str
    seq: int
    hash: str
    sealed: bool


@dataclass(slots=True)
class LotReport:
    lot: str
    sha256: str
    key_id: str
    created_ns: int
    zone: str
    verification: VerificationReport
    dossier: LotDossier | None
    cycles: list[CycleSection] = field(default_factory=list)
    stays: list[StayHistory] = field(default_factory=list)
    heads: list[Head] = field(default_factory=list)
    alarm_span: tuple[int, int] | None = None  # the alarm records carried, first and last seq

    @property
    def verdict(self) -> str:
        """OK, FAILED, or INTACT, SIGNER NOT ESTABLISHED, as the verification says it."""
        report = self.verification
        if not report.ok:
            return "FAILED"
        return "OK" if report.signer_established else "INTACT, SIGNER NOT ESTABLISHED"

    @property
    def state(self) -> str:
        """The lot's state as the verification's reading of the records words it."""
        prefix = f"lot {self.lot}: "
        for line in self.verification.contents:
            if line.startswith(prefix):
                return line.removeprefix(prefix)
        return "no record of the lot in this bundle"


def build_report(bundle: BundleView, verification: VerificationReport, zone: str) -> LotReport:
    header = bundle.header
    lot_records = bundle.records(lot_stream(header.lot))
    dossier = fold_lot(header.lot, lot_records) if lot_records else None
    report = LotReport(
        header.lot, bundle.sha256, header.key_id, header.created_ns, zone, verification, dossier
    )
    report.heads = [
        Head(stream, seq, digest, stream in header.sealed)
        for stream, (seq, digest) in sorted(header.heads.items())
    ]
    alarm_records = bundle.records(ALARM_STREAM)
    if alarm_records:
        report.alarm_span = (alarm_records[0].seq, alarm_records[-1].seq)
    if dossier is None:
        return report
    seen: set[str] = set()
    for link in dossier.cycles:
        if link.cycle in seen:
            continue
        seen.add(link.cycle)
        records = bundle.records(link.cycle)
        if not records:
            report.cycles.append(CycleSection(link.cycle, link.voided, None))
            continue
        report.cycles.append(
            CycleSection(
                link.cycle,
                link.voided,
                summarise_cycle(link.cycle, records),
                build_curve(records, _flagged(verification, link.cycle)),
                cycle_event_lines(records),
                cycle_alarm_lines(link.cycle, records, alarm_records),
                next((dict(r.fields) for r in records if r.kind == "cycle_started"), {}),
            )
        )
    report.stays = stay_histories(dossier.stays, bundle.streams)
    return report


def _flagged(verification: VerificationReport, stream: str) -> set[int]:
    """The seqs of ``stream`` an error finding names."""
    seqs: set[int] = set()
    for finding in verification.errors:
        if finding.stream == stream and finding.seq is not None:
            last = finding.seq_end if finding.seq_end is not None else finding.seq
            seqs.update(range(finding.seq, min(last, finding.seq + 10_000) + 1))
    return seqs
