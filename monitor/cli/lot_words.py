"""Lots in words for the command line: a status line, a signature, a dossier, a trace."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from monitor.clock import ns_to_datetime

Json = dict[str, Any]


def segment(name: str) -> str:
    """A lot or enclosure in a URL path: a '/', '?' or '#' in it must not reach another route."""
    return quote(name, safe="")


def when(ts: int | None) -> str:
    return ns_to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S UTC") if ts else "—"


def span(seconds: float | None) -> str:
    """``1:02:03``; ``?`` when the records do not say."""
    if seconds is None or not math.isfinite(seconds):
        return "?"
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def amount(bottles: int | None, volume_ml: float | None) -> str:
    parts = [f"{bottles} bottle(s)" if bottles else "", f"{volume_ml:g} mL" if volume_ml else ""]
    return ", ".join(p for p in parts if p) or "nothing"


def state_line(lot: Json) -> str:
    """``lot L2026-001: released (by Dr Sophie Bernard), in Z1 since …``."""
    where = f", in {lot['location']} since {when(lot['in_since_ns'])}" if lot["location"] else ""
    left = ""
    if not lot["closed"] and (lot["bottles_left"] is not None or lot["volume_left_ml"] is not None):
        left = f"; left: {amount(lot['bottles_left'], lot['volume_left_ml'])}"
    return f"lot {lot['lot']}: {lot['state_text']} ({lot['why']}){where}{left}"


def signed_lines(answer: Json, done: str) -> list[str]:
    """What was done, the lot's state now, and the electronic signature (21 CFR 11.50)."""
    sig = answer["signature"]
    lines = [done]
    if "state_text" in answer:
        lines.append(state_line(answer))
    comment = f": {sig['comment']}" if sig.get("comment") else ""
    lines.append(
        f"signed by {sig['printed_name']} ({sig['user']}) at {when(sig['ts'])}, "
        f"meaning {sig['meaning']}{comment}"
    )
    return lines


def dossier_lines(lot: Json) -> list[str]:
    """The whole dossier (Arrêté 1995 X 2), each record with its number for corrections."""
    lines = [state_line(lot)]
    size = amount(lot["bottles"], lot["volume_ml"])
    lines.append(
        f"  created {when(lot['created_ns'])} by {lot['created_by'] or '?'}; "
        f"sub-lots {', '.join(lot['sub_lots']) or 'none'}; {size}"
    )
    for b in lot["bacteriology"]:
        lines.append(
            f"  #{b['seq']} bacteriology {b['stage']}: total flora {b['total_flora_cfu_ml']:g} "
            f"CFU/mL, S. aureus {b['s_aureus_cfu_ml']:g} CFU/mL"
            + (f" ({b['lab_reference']})" if b["lab_reference"] else "")
            + _marks(b)
        )
    for c in lot["cycles"]:
        verdict = c["verdict"] or "no verdict yet"
        reasons = f": {c['reasons']}" if c["reasons"] else ""
        lines.append(f"  #{c['seq']} cycle {c['cycle']}: {verdict}{reasons}{_marks(c)}")
    lines += [f"  stay: {_stay(s)}" for s in lot["stays"]]
    if lot["stay_limit_ns"]:
        lines.append(
            f"  must leave {lot['location']} by {when(lot['stay_limit_ns'])}: {lot['stay_rule']}"
        )
    if lot["use_by_ns"]:
        lines.append(f"  use-by {when(lot['use_by_ns'])}")
    lines += exposure_lines(lot["excursions"])
    for a in lot["acts"]:
        what = a["kind"].removeprefix("lot_")
        if a["kind"] == "lot_decided":
            what = f"decided to {a['decision']} after {a['alarm']}"
        reason = f": {a['reason']}" if a["reason"] else ""
        lines.append(
            f"  #{a['seq']} {what} {when(a['ts'])} by {a['printed_name']}{reason}" + _marks(a)
        )
    lines += [f"  #{d['seq']} {_given(d)}{_marks(d)}" for d in lot["distributions"]]
    for c in lot["corrections"]:
        change = "voids" if c["action"] == "void" else f"sets {c['field']} = {c['value']!r} in"
        lines.append(
            f"  #{c['seq']} {change} #{c['target_seq']} by {c['printed_name']}: {c['reason']}"
        )
    lines += [f"  problem: {p}" for p in lot["problems"]]
    return lines


def exposure_lines(exposures: list[Json]) -> list[str]:
    """What the lot lived through in its enclosures, and the decisions about it."""
    if not exposures:
        return ["  excursions: none while it was stored"]
    lines = ["  excursions while it was stored:"]
    for e in exposures:
        end = when(e["end_ns"]) if e["end_ns"] else "still going on"
        if e["what"] == "excursion":
            worst = "?" if e["worst_c"] is None else f"{e['worst_c']:.2f} °C"
            figures = (
                f"{e['side']}, measured {span(e['measured_s'])} out of band, "
                f"unmeasured {span(e['unmeasured_s'])}, worst {worst}"
            )
        else:
            figures = f"probe {e['what']}, unmeasured {span(e['unmeasured_s'])}"
        alarmed = ", alarmed" if e["alarmed"] else ""
        lines.append(
            f"    {e['alarm']} {when(e['start_ns'])} to {end}: {figures}{alarmed} [{e['where']}]"
        )
        for d in e["decisions"]:
            lines.append(
                f"      decision: {d['decision']} by {d['printed_name']} "
                f"{when(d['ts'])}: {d['reason']}"
            )
        if not e["decisions"]:
            lines.append("      no decision recorded")
    return lines


def trace_lines(lot: Json) -> list[str]:
    """A lot from its donors to its recipients (Arrêté 1995 glossary 7)."""
    lines = [state_line(lot), f"  donors: {', '.join(lot['sub_lots']) or 'none'}"]
    for c in lot["cycles"]:
        if not c["voided"]:
            lines.append(f"  cycle {c['cycle']}: {c['verdict'] or 'no verdict yet'}")
    lines += [f"  stay: {_stay(s)}" for s in lot["stays"]]
    lines += [f"  {_given(d)}" for d in lot["distributions"] if not d["voided"]]
    for a in lot["acts"]:
        if a["kind"] == "lot_destroyed" and not a["voided"]:
            lines.append(f"  destroyed {when(a['ts'])} by {a['printed_name']}: {a['reason']}")
    return lines


def _stay(stay: Json) -> str:
    if stay["out_ns"] is None:
        return f"{stay['enclosure']} since {when(stay['in_ns'])}"
    return f"{stay['enclosure']} {when(stay['in_ns'])} to {when(stay['out_ns'])}"


def _given(d: Json) -> str:
    return (
        f"distributed {when(d['ts'])}: {amount(d['bottles'], d['volume_ml'])} to "
        f"{d['ward']} for {d['recipient_ref']} by {d['printed_name']}"
    )


def _marks(item: Json) -> str:
    if item.get("voided"):
        return " (voided)"
    return " (amended)" if item.get("amended") else ""
