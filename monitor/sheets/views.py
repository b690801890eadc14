"""A sheet as the API answers it (JSON) and as the command line prints it (lines of text)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from monitor.sheets.days import clock_text, duration_text, local_text
from monitor.sheets.model import Act, DailySheet, Excursion, MonthSheets

Json = dict[str, Any]


def sheet_json(sheet: DailySheet) -> Json:
    signature = sheet.signature
    return {
        "enclosure": sheet.enclosure,
        "day": sheet.day.isoformat(),
        "stream": sheet.stream,
        "recorded": sheet.recorded,
        "closed": sheet.closed,
        "figures": asdict(sheet.figures) if sheet.figures else None,
        "excursions": [asdict(e) for e in sheet.excursions],
        "probe_faults": [asdict(f) for f in sheet.faults],
        "signature": asdict(signature) if signature else None,
        "corrected": [asdict(a) for a in sheet.signatures[:-1]],
    }


def month_json(month: MonthSheets) -> Json:
    review = month.review
    return {
        "enclosure": month.enclosure,
        "month": f"{month.month:%Y-%m}",
        "stream": month.stream,
        "sheets": [sheet_json(s) for s in month.sheets],
        "unsigned": [s.day.isoformat() for s in month.unsigned()],
        "review": asdict(review) if review else None,
        "corrected_reviews": [asdict(a) for a in month.reviews[:-1]],
    }


def celsius(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} °C"


def signer(act: Act, zone: str) -> str:
    """``Anne Martin (anne) at 2026-12-01 09:12``: who signed, and when, in local time."""
    return f"{act.printed_name} ({act.user}) at {local_text(act.ts, zone)}"


def sheet_lines(sheet: DailySheet, zone: str, review: Act | None = None) -> list[str]:
    """The sheet as ``lactamon sheet show`` prints it; times are local (``zone``)."""
    lines = [f"daily sheet of {sheet.enclosure} for {sheet.day.isoformat()} ({zone})"]
    figures = sheet.figures
    if not sheet.recorded:
        lines.append("  nothing recorded that day")
    if figures is None:
        lines.append("  open: the day is not closed yet (it closes at local midnight)")
    else:
        lines += [
            f"  closed {local_text(figures.end_ts, zone)}, {figures.samples or 0} readings",
            f"  min {celsius(figures.min_c)} at {clock_text(figures.min_ts, zone)}   "
            f"max {celsius(figures.max_c)} at {clock_text(figures.max_ts, zone)}   "
            f"mean {celsius(figures.mean_c)}",
            f"  measured out of band {duration_text(figures.out_of_band_s)}   "
            f"unmeasured {duration_text(figures.unmeasured_s)}",
            f"  excursions {figures.excursions or 0} (alarmed {figures.alarms or 0})",
        ]
    lines += [f"    {excursion_text(e, zone, sheet.closed)}" for e in sheet.excursions]
    lines.append(f"  probe faults {len(sheet.faults)}")
    lines += [f"    {clock_text(f.ts, zone)}  {f.probe} {f.what}: {f.detail}" for f in sheet.faults]
    for act in sheet.signatures[:-1]:
        lines.append(f"  signed by {signer(act, zone)}, corrected since")
    signature = sheet.signature
    if signature is None:
        lines.append("  NOT SIGNED" if sheet.closed else "  not signed (open)")
    else:
        lines.append(f"  signed by {signer(signature, zone)}: {signature.meaning}")
        if signature.comment:
            lines.append(f"    comment: {signature.comment}")
        if signature.replaces_seq is not None:
            lines.append(f"    corrects #{signature.replaces_seq}: {signature.reason}")
    if review is not None:
        lines.append(f"  month reviewed by {signer(review, zone)}")
    return lines


def excursion_text(e: Excursion, zone: str, closed: bool = True) -> str:
    """``23:22 high, alarmed, until 00:41 (worst 6.87 °C)``."""
    if e.carried:
        start = f"from the day before ({local_text(e.since_ts, zone)})"
    else:
        start = clock_text(e.since_ts, zone)
    parts = [start, e.side or "out of band"]
    if e.alarmed:
        parts.append("alarmed")
    if e.ended_ts is None:
        parts.append("went on past the day's end" if closed else "going on")
    else:
        worst = f" (worst {celsius(e.worst_c)})" if e.worst_c is not None else ""
        parts.append(f"back in the band at {clock_text(e.ended_ts, zone)}{worst}")
    return ", ".join(parts)
