"""What a bundle's records say, for people: each cycle's verdict and the lot's state.

A cycle's verdict is its closing record (``cycle_passed``, ``cycle_failed`` or
``cycle_aborted``, with its reasons); the lot's state is its dossier, corrections applied,
with the verdicts of the cycles it links, in the words of ``lot_state``. Whether the
records can be believed is the verification's part: these lines only read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from monitor.evaluation.lot_life import LotLimits
from monitor.journal.dossier import Bacteriology, LotDossier, fold_lot
from monitor.journal.lot_state import (
    CLOSING,
    CycleOutcome,
    LotState,
    amount,
    cycle_outcome,
    lot_status,
)
from monitor.journal.record import Record, Unreadable
from monitor.journal.streams import StreamKind, lot_stream, parse_stream

NO_VERDICT = "no verdict (no closing record)"


def bundle_contents(lot: str, entries: Iterable[Record | Unreadable]) -> list[str]:
    """A line per cycle, then the lot's state and its particulars."""
    streams: dict[str, list[Record]] = {}
    for entry in entries:
        if isinstance(entry, Record):
            streams.setdefault(entry.stream, []).append(entry)
    verdicts = {
        name: cycle_verdict(records)
        for name, records in sorted(streams.items())
        if parse_stream(name).kind is StreamKind.CYCLE
    }
    lines = [f"{name}: {verdict}" for name, verdict in verdicts.items()]
    lot_records = streams.get(lot_stream(lot))
    if lot_records is None:
        return [*lines, f"lot {lot}: no record of the lot in this bundle"]
    outcomes = {name: cycle_outcome(streams[name]) for name in verdicts}
    return lines + lot_lines(fold_lot(lot, lot_records), verdicts, outcomes)


def cycle_verdict(records: Iterable[Record]) -> str:
    """``PASS``, ``FAIL: reasons``, ``ABORTED: reasons``, from the last closing record."""
    closing = [r for r in sorted(records, key=lambda r: r.seq) if r.kind in CLOSING]
    if not closing:
        return NO_VERDICT
    last = closing[-1]
    reasons = str(last.fields.get("reasons", ""))
    return CLOSING[last.kind] + (f": {reasons}" if reasons else "")


def lot_lines(
    dossier: LotDossier, verdicts: dict[str, str], outcomes: dict[str, CycleOutcome]
) -> list[str]:
    """The lot's state in one line, then what it rests on."""
    lines = [f"lot {dossier.lot}: {_state(dossier, outcomes)}"]
    if dossier.created_ts is None:
        lines.append("  created: no lot_created record")
    else:
        lines.append(
            f"  created {_time(dossier.created_ts)} by {dossier.created_by or '?'}; "
            f"sub-lots {', '.join(dossier.sub_lots) or 'none'}"
        )
    before, after = (dossier.latest_bacteriology(stage) for stage in ("before", "after"))
    lines.append(f"  bacteriology before: {_counts(before)}; after: {_counts(after)}")
    cycles = [f"{c} {_word(verdicts.get(c))}" for c in dossier.linked_cycles]
    lines.append(f"  cycles: {', '.join(cycles) or 'none linked'}")
    lines.append(f"  storage: {_storage(dossier)}")
    lines += _life(dossier)
    if dossier.corrections:
        lines.append(f"  {len(dossier.corrections)} correction(s), applied above")
    lines += [f"  problem: {problem}" for problem in dossier.problems]
    return lines


def _state(dossier: LotDossier, outcomes: dict[str, CycleOutcome]) -> str:
    """The state in the words of ``lot_state``; the site's limit on the control after
    pasteurisation is not in a bundle, so the rules' default judges it."""
    status = lot_status(dossier, outcomes, LotLimits())
    missing = [c for c in dossier.linked_cycles if c not in outcomes]
    if missing and status.state is LotState.PASTEURISING:
        return (
            "not pasteurised ("
            + "; ".join(f"cycle {c} is not in this bundle" for c in missing)
            + ")"
        )
    return f"{status.words} ({status.why})"


def _life(dossier: LotDossier) -> list[str]:
    """Release, decisions, distributions and destruction, one line each."""
    lines = []
    for act in dossier.acts:
        if act.voided:
            continue
        what = act.kind.removeprefix("lot_")
        if act.kind == "lot_decided":
            what = f"decided to {act.decision} after {act.alarm}"
        reason = f": {act.reason}" if act.reason else ""
        lines.append(f"  {what} {_time(act.ts)} by {act.printed_name or act.user}{reason}")
    for d in dossier.given_out:
        given = amount(d.bottles, d.volume_ml)
        lines.append(f"  distributed {_time(d.ts)}: {given} to {d.ward} for {d.recipient_ref}")
    return lines


def _word(verdict: str | None) -> str:
    """PASS, FAIL or ABORTED without the reasons (said on the cycle's own line)."""
    if verdict is None:
        return "(not in this bundle)"
    return "(no verdict)" if verdict == NO_VERDICT else verdict.partition(":")[0]


def _counts(result: Bacteriology | None) -> str:
    if result is None:
        return "not recorded"
    reference = f" ({result.lab_reference})" if result.lab_reference else ""
    return (
        f"total flora {_number(result.total_flora_cfu_ml)} CFU/mL, "
        f"S. aureus {_number(result.s_aureus_cfu_ml)} CFU/mL{reference}"
    )


def _storage(dossier: LotDossier) -> str:
    if not dossier.stays:
        return "never stored"
    places = []
    for stay in dossier.stays:
        if stay.out_ts is None:
            places.append(f"in {stay.enclosure} since {_time(stay.in_ts)}")
        else:
            places.append(f"in {stay.enclosure} {_time(stay.in_ts)} to {_time(stay.out_ts)}")
    return "; ".join(places)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _time(ts: int) -> str:
    return datetime.fromtimestamp(ts // 1_000_000_000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
