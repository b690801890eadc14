"""The read model of a lot: its records folded, corrections applied, into the current dossier.

Corrections are applied to the record they target before that record is folded, so the
dossier shows the corrected values, while ``corrections`` keeps every correction with its
reason and signer and each entry says whether it was amended or voided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from monitor.journal.lot_book import NEW_VALUE_FIELDS
from monitor.journal.record import FieldValue, Record
from monitor.journal.signing import SIGNED_KINDS

ACT_KINDS = ("lot_released", "lot_destroyed", "lot_decided")


@dataclass(frozen=True, slots=True)
class Bacteriology:
    seq: int
    ts: int
    stage: str
    total_flora_cfu_ml: float
    s_aureus_cfu_ml: float
    lab_reference: str
    amended: bool
    voided: bool


@dataclass(frozen=True, slots=True)
class CycleLink:
    seq: int
    ts: int
    cycle: str
    amended: bool
    voided: bool


@dataclass(slots=True)
class Stay:
    enclosure: str
    in_ts: int
    started_seq: int
    out_ts: int | None = None
    ended_seq: int | None = None


@dataclass(frozen=True, slots=True)
class Act:
    """A signed act on the whole lot: its release, its destruction, a decision about an
    excursion it lived through (``lot_released``, ``lot_destroyed``, ``lot_decided``)."""

    seq: int
    ts: int
    kind: str
    user: str
    printed_name: str
    reason: str  # the destruction's or the decision's reason; the release's comment
    decision: str = ""  # lot_decided: "keep" or "destroy"
    alarm: str = ""  # lot_decided: the excursion's alarm key (band:F1)
    excursion: str = ""  # lot_decided: the excursion's stream and seq (enclosure:F1:…#12)
    amended: bool = False
    voided: bool = False


@dataclass(frozen=True, slots=True)
class Distribution:
    """A part of the lot given out (``lot_distributed``): to a ward, for a prescription."""

    seq: int
    ts: int
    bottles: int
    volume_ml: float
    ward: str
    recipient_ref: str
    printed_name: str
    amended: bool = False
    voided: bool = False


@dataclass(frozen=True, slots=True)
class Correction:
    seq: int
    ts: int
    target_seq: int
    action: str
    field: str
    value: FieldValue | None
    reason: str
    user: str
    printed_name: str


@dataclass(slots=True)
class LotDossier:
    """A lot as its records say it is now; ``problems`` lists what does not add up."""

    lot: str
    created_ts: int | None = None
    created_by: str = ""
    sub_lots: list[str] = field(default_factory=list)
    bacteriology: list[Bacteriology] = field(default_factory=list)
    cycles: list[CycleLink] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    # The lot's size as created (bottles, mL); 0 when not given.
    bottles: int = 0
    volume_ml: float = 0.0
    acts: list[Act] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def valid_acts(self, kind: str) -> list[Act]:
        """The acts of ``kind`` that were not voided, in order."""
        return [a for a in self.acts if a.kind == kind and not a.voided]

    @property
    def given_out(self) -> list[Distribution]:
        return [d for d in self.distributions if not d.voided]

    def latest_bacteriology(self, stage: str) -> Bacteriology | None:
        """The last result of ``stage`` ("before" / "after") that was not voided."""
        valid = [b for b in self.bacteriology if b.stage == stage and not b.voided]
        return valid[-1] if valid else None

    @property
    def linked_cycles(self) -> list[str]:
        """Cycle stream ids linked and not voided, in order."""
        return [c.cycle for c in self.cycles if not c.voided]


def fold_lot(lot: str, records: Iterable[Record]) -> LotDossier:
    """The dossier of ``lot`` from the records of its stream, in seq order."""
    ordered = sorted(records, key=lambda r: r.seq)
    dossier = LotDossier(lot)
    known = {r.seq: r for r in ordered}
    amendments: dict[int, dict[str, FieldValue]] = {}
    voided: set[int] = set()
    for record in ordered:
        if record.kind != "correction":
            continue
        correction = _correction(record)
        dossier.corrections.append(correction)
        target = known.get(correction.target_seq)
        if target is None or target.kind == "correction" or target.seq > record.seq:
            dossier.problems.append(
                f"#{record.seq} corrects #{correction.target_seq}, "
                "which is not an earlier record of the lot"
            )
        elif correction.action == "void":
            voided.add(correction.target_seq)
        elif correction.value is not None:
            amendments.setdefault(correction.target_seq, {})[correction.field] = correction.value
    for record in ordered:
        if record.kind == "correction" or record.kind in SIGNED_KINDS:
            continue
        fields = {**record.fields, **amendments.get(record.seq, {})}
        _fold(dossier, record, fields, record.seq in amendments, record.seq in voided)
    return dossier


def _fold(
    dossier: LotDossier, record: Record, f: dict[str, FieldValue], amended: bool, voided: bool
) -> None:
    kind, seq, ts = record.kind, record.seq, record.ts
    if kind == "lot_created":
        dossier.created_ts, dossier.created_by = ts, str(f.get("printed_name", ""))
        dossier.sub_lots = [] if voided else [c for c in str(f.get("sub_lots", "")).split(",") if c]
        dossier.bottles = _count(f.get("bottles"))
        dossier.volume_ml = _volume(f.get("volume_ml"))
    elif kind in ACT_KINDS:
        dossier.acts.append(
            Act(seq, ts, kind, str(f.get("user", "")), str(f.get("printed_name", "")),
                str(f.get("reason") or f.get("comment") or ""), str(f.get("decision", "")),
                str(f.get("alarm", "")), str(f.get("excursion", "")), amended, voided)
        )  # fmt: skip
    elif kind == "lot_distributed":
        dossier.distributions.append(
            Distribution(seq, ts, _count(f.get("bottles")), _volume(f.get("volume_ml")),
                         str(f.get("ward", "")), str(f.get("recipient_ref", "")),
                         str(f.get("printed_name", "")), amended, voided)
        )  # fmt: skip
    elif kind == "bacteriology_recorded":
        dossier.bacteriology.append(
            Bacteriology(
                seq,
                ts,
                str(f.get("stage", "")),
                _number(f.get("total_flora_cfu_ml")),
                _number(f.get("s_aureus_cfu_ml")),
                str(f.get("lab_reference", "")),
                amended,
                voided,
            )
        )
    elif kind == "cycle_linked":
        dossier.cycles.append(CycleLink(seq, ts, str(f.get("cycle", "")), amended, voided))
    elif kind == "stay_started" and not voided:
        enclosure = str(f.get("enclosure", ""))
        if any(s.enclosure == enclosure and s.out_ts is None for s in dossier.stays):
            dossier.problems.append(f"#{seq}: a stay in {enclosure} starts while one is open")
        dossier.stays.append(Stay(enclosure, _stamp(f.get("in_ts"), ts), seq))
    elif kind == "stay_ended" and not voided:
        enclosure = str(f.get("enclosure", ""))
        open_stays = [s for s in dossier.stays if s.enclosure == enclosure and s.out_ts is None]
        if not open_stays:
            dossier.problems.append(f"#{seq}: a stay in {enclosure} ends that never started")
            return
        open_stays[-1].out_ts, open_stays[-1].ended_seq = _stamp(f.get("out_ts"), ts), seq
    elif kind not in ("stay_started", "stay_ended"):
        dossier.problems.append(f"#{seq}: {kind} records have no place in a lot dossier")


def _correction(record: Record) -> Correction:
    f = record.fields
    value = next((f[name] for name in NEW_VALUE_FIELDS.values() if name in f), None)
    target = f.get("target_seq")
    return Correction(
        record.seq,
        record.ts,
        target if isinstance(target, int) and not isinstance(target, bool) else 0,
        str(f.get("action", "")),
        str(f.get("field", "")),
        value,
        str(f.get("reason", "")),
        str(f.get("user", "")),
        str(f.get("printed_name", "")),
    )


def _count(value: FieldValue | None) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _volume(value: FieldValue | None) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0


def _number(value: FieldValue | None) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def _stamp(value: FieldValue | None, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
