"""Lots as the API answers them: a status line, the whole dossier, what a lot lived through.

Times are UTC nanoseconds (``*_ns``), as everywhere in the API; the command line words them.
"""

from __future__ import annotations

from typing import Any

from monitor.evaluation.lot_life import StayLimit
from monitor.journal.dossier import LotDossier
from monitor.journal.lot_excursions import Exposure
from monitor.journal.lot_state import CycleOutcome, LotStatus
from monitor.signature import Signature

Json = dict[str, Any]


def status_json(status: LotStatus) -> Json:
    stay = status.stay
    return {
        "lot": status.lot,
        "state": status.state.value,
        "state_text": status.words,
        "why": status.why,
        "closed": status.closed,
        "location": status.location,
        "in_since_ns": None if stay is None else stay.in_ts,
        "bottles_left": status.bottles_left,
        "volume_left_ml": status.volume_left_ml,
        "created_ns": status.created_ns,
        "pasteurised_ns": status.pasteurised_ns,
        "use_by_ns": status.use_by_ns,
        "positive": status.positive,
    }


def signature_json(signature: Signature, ts: int) -> Json:
    return {**signature.fields(), "ts": ts}


def dossier_json(
    dossier: LotDossier,
    status: LotStatus,
    outcomes: dict[str, CycleOutcome],
    exposures: list[Exposure],
    limit: StayLimit | None,
) -> Json:
    """The lot dossier (Arrêté 1995 X 2) as it stands, with its excursions and deadlines."""
    return {
        **status_json(status),
        "created_by": dossier.created_by,
        "sub_lots": dossier.sub_lots,
        "bottles": dossier.bottles,
        "volume_ml": dossier.volume_ml,
        "stay_limit_ns": None if limit is None else limit.deadline_ns,
        "stay_rule": "" if limit is None else limit.rule,
        "bacteriology": [
            {
                "seq": b.seq,
                "ts": b.ts,
                "stage": b.stage,
                "total_flora_cfu_ml": b.total_flora_cfu_ml,
                "s_aureus_cfu_ml": b.s_aureus_cfu_ml,
                "lab_reference": b.lab_reference,
                "amended": b.amended,
                "voided": b.voided,
            }
            for b in dossier.bacteriology
        ],
        "cycles": [
            {
                "seq": c.seq,
                "cycle": c.cycle,
                "voided": c.voided,
                "verdict": outcomes.get(c.cycle, CycleOutcome()).verdict,
                "reasons": outcomes.get(c.cycle, CycleOutcome()).reasons,
                "closed_ns": outcomes.get(c.cycle, CycleOutcome()).closed_ns,
            }
            for c in dossier.cycles
        ],
        "stays": [
            {"enclosure": s.enclosure, "in_ns": s.in_ts, "out_ns": s.out_ts} for s in dossier.stays
        ],
        "acts": [
            {
                "seq": a.seq,
                "ts": a.ts,
                "kind": a.kind,
                "user": a.user,
                "printed_name": a.printed_name,
                "reason": a.reason,
                "decision": a.decision,
                "alarm": a.alarm,
                "excursion": a.excursion,
                "voided": a.voided,
            }
            for a in dossier.acts
        ],
        "distributions": [
            {
                "seq": d.seq,
                "ts": d.ts,
                "bottles": d.bottles,
                "volume_ml": d.volume_ml,
                "ward": d.ward,
                "recipient_ref": d.recipient_ref,
                "printed_name": d.printed_name,
                "voided": d.voided,
            }
            for d in dossier.distributions
        ],
        "corrections": [
            {
                "seq": c.seq,
                "ts": c.ts,
                "target_seq": c.target_seq,
                "action": c.action,
                "field": c.field,
                "value": c.value,
                "reason": c.reason,
                "printed_name": c.printed_name,
            }
            for c in dossier.corrections
        ],
        "excursions": [exposure_json(e, dossier) for e in exposures],
        "problems": dossier.problems,
    }


def exposure_json(exposure: Exposure, dossier: LotDossier) -> Json:
    decisions = [
        {"decision": a.decision, "reason": a.reason, "printed_name": a.printed_name, "ts": a.ts}
        for a in dossier.valid_acts("lot_decided")
        if a.alarm == exposure.alarm and (not a.excursion or a.excursion == exposure.where)
    ]
    return {
        "alarm": exposure.alarm,
        "enclosure": exposure.enclosure,
        "what": exposure.what,
        "where": exposure.where,
        "start_ns": exposure.start_ns,
        "end_ns": exposure.end_ns,
        "side": exposure.side,
        "alarmed": exposure.alarmed,
        "measured_s": _finite(exposure.measured_s),
        "unmeasured_s": _finite(exposure.unmeasured_s),
        "worst_c": _finite(exposure.worst_c),
        "decisions": decisions,
    }


def _finite(value: float | None) -> float | None:
    """JSON has no NaN: a figure the records do not give is null."""
    return None if value is None or value != value else value
