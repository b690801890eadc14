"""The sections of the lot dossier around its cycles: each a list of flowables.

The lot and its bacteriology; the release and decisions; the storage; the distribution or
destruction; the corrections; the verification in full (the cycles: ``dossier_cycles``).
Each reads a ``LotReport`` and nothing else.
"""

from __future__ import annotations

import math

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from monitor.journal.dossier import Act
from monitor.reports.lot_report import LotReport
from monitor.reports.pdf_style import Styles, escape, table
from monitor.reports.stay_history import Excursion
from monitor.reports.times import Times, duration_text

Story = list[Flowable]
W = 180 * mm  # the text width of an A4 page with 15 mm margins
TIME_W = 39 * mm
ACT_WORDS = {"lot_released": "released", "lot_destroyed": "destroyed", "lot_decided": "decided"}


def key_sentence(report: LotReport) -> str:
    """Which keys the records were checked with, as the verification words it."""
    return report.verification.format().splitlines()[1]


def lot_section(report: LotReport, styles: Styles, times: Times) -> Story:
    story: Story = [Paragraph("1. The lot", styles.h1)]
    dossier = report.dossier
    if dossier is None:
        return [*story, Paragraph("The bundle holds no record of the lot.", styles.body)]
    rows = [["Lot number", report.lot], ["State", report.state]]
    if dossier.created_ts is not None:
        rows.append(["Created", f"{times.when(dossier.created_ts)} by {dossier.created_by}"])
    donors = ", ".join(dossier.sub_lots) or "none recorded"
    rows.append([f"Sub-lots ({len(dossier.sub_lots)})", f"donors' references: {donors}"])
    if dossier.bottles or dossier.volume_ml:
        rows.append(["Size", f"{dossier.bottles} bottle(s), {dossier.volume_ml:g} mL"])
    story.append(
        table(rows, [38 * mm, W - 38 * mm], styles, header=False, label_column=True, narrow=())
    )
    story.append(Paragraph("Bacteriology before and after pasteurisation", styles.h2))
    results = [["Stage", "Total flora (CFU/mL)", "S. aureus (CFU/mL)", "Laboratory", "Recorded"]]
    for b in dossier.bacteriology:
        note = " (voided)" if b.voided else " (amended)" if b.amended else ""
        results.append([b.stage + note, _count(b.total_flora_cfu_ml), _count(b.s_aureus_cfu_ml),
                        b.lab_reference or "—", times.cell(b.ts)])  # fmt: skip
    for stage in ("before", "after"):
        if dossier.latest_bacteriology(stage) is None:
            results.append([stage, "not recorded", "", "", ""])
    widths = [24 * mm, 34 * mm, 34 * mm, 44 * mm, W - 136 * mm]
    story.append(table(results, widths, styles, narrow=(4,)))
    if dossier.problems:
        story.append(Paragraph("What does not add up in the lot's records", styles.h2))
        story += [Paragraph("• " + escape(p), styles.body) for p in dossier.problems]
    return story


def release_section(report: LotReport, styles: Styles, times: Times) -> Story:
    story: Story = [CondPageBreak(40 * mm), Paragraph("3. Release and decisions", styles.h1)]
    dossier = report.dossier
    acts = [a for a in dossier.acts if a.kind in ("lot_released", "lot_decided")] if dossier else []
    if not acts:
        return [*story, Paragraph("No release is recorded: the lot is not released.", styles.body)]
    return [*story, _acts_table(acts, styles, times)]


def storage_section(report: LotReport, styles: Styles, times: Times) -> Story:
    story: Story = [CondPageBreak(40 * mm), Paragraph("4. Storage", styles.h1)]
    if not report.stays:
        return [*story, Paragraph("No stay in a fridge or freezer is recorded.", styles.body)]
    rows = [["Enclosure", "In", "Out", "Time", "Readings", "Min", "Max"]]
    for history in report.stays:
        stay = history.stay
        out = times.cell(stay.out_ts) if stay.out_ts is not None else "still there"
        span = history.end_ts - stay.in_ts if history.end_ts is not None else None
        faults = f" ({history.faults} faulty)" if history.faults else ""
        rows.append([stay.enclosure, times.cell(stay.in_ts), out,
                     duration_text(span / 1e9) if span is not None else "—",
                     f"{history.readings}{faults}", _c(history.low_c),
                     _c(history.high_c)])  # fmt: skip
    widths = [18 * mm, TIME_W, TIME_W, 24 * mm, 20 * mm, 20 * mm, W - 82 * mm - 2 * TIME_W]
    story.append(table(rows, widths, styles, narrow=(1, 2)))
    carried = sum(len(h.streams) for h in report.stays)
    if not carried:
        story.append(Paragraph("The bundle carries no reading of these enclosures.", styles.body))
    excursions = [e for h in report.stays for e in h.excursions]
    story.append(Paragraph("Excursions the lot lived through", styles.h2))
    if not excursions:
        story.append(Paragraph("None: the readings stayed in the band.", styles.body))
        return story
    rows = [["Enclosure", "From", "To", "Worst", "Decision", "Record"]]
    decisions = report.dossier.valid_acts("lot_decided") if report.dossier else []
    for e in dict.fromkeys(excursions):
        to = times.cell(e.end_ts) if e.end_ts is not None else "not ended"
        alarm = "alarmed" if e.alarmed else "within the delay"
        worst = f"{e.side} {_c(e.worst_c)}\n{alarm}"
        record = f"{e.stream}\n#{e.seq}"
        rows.append([e.enclosure, times.cell(e.start_ts), to, worst, _decision(e, decisions),
                     record])  # fmt: skip
    widths = [18 * mm, TIME_W, TIME_W, 22 * mm, 26 * mm, W - 66 * mm - 2 * TIME_W]
    story.append(table(rows, widths, styles, mono=(5,), narrow=(1, 2)))
    return story


def fate_section(report: LotReport, styles: Styles, times: Times) -> Story:
    story: Story = [CondPageBreak(40 * mm), Paragraph("5. Distribution or destruction", styles.h1)]
    dossier = report.dossier
    if dossier is None:
        return story
    destroyed = [a for a in dossier.acts if a.kind == "lot_destroyed"]
    if destroyed:
        story.append(_acts_table(destroyed, styles, times))
    if dossier.distributions:
        rows = [["Time", "Bottles", "Volume", "Ward", "Prescription", "Given by"]]
        for d in dossier.distributions:
            note = " (voided)" if d.voided else " (amended)" if d.amended else ""
            rows.append([times.cell(d.ts), str(d.bottles), f"{d.volume_ml:g} mL", d.ward,
                         d.recipient_ref, d.printed_name + note])  # fmt: skip
        widths = [TIME_W, 16 * mm, 18 * mm, 34 * mm, 34 * mm, W - TIME_W - 102 * mm]
        story.append(table(rows, widths, styles))
    if not destroyed and not dossier.distributions:
        story.append(Paragraph("Neither distributed nor destroyed yet.", styles.body))
    return story


def corrections_section(report: LotReport, styles: Styles, times: Times) -> Story:
    story: Story = [CondPageBreak(30 * mm), Paragraph("6. Corrections", styles.h1)]
    dossier = report.dossier
    if dossier is None or not dossier.corrections:
        return [*story, Paragraph("None: no record of the lot was corrected.", styles.body)]
    rows = [["Time", "Record", "Action", "New value", "Reason", "By"]]
    for c in dossier.corrections:
        value = f"{c.field} = {c.value}" if c.action == "amend" else ""
        rows.append([times.cell(c.ts), f"#{c.target_seq}", c.action, value, c.reason,
                     c.printed_name])  # fmt: skip
    widths = [TIME_W, 15 * mm, 15 * mm, 36 * mm, 45 * mm, W - TIME_W - 111 * mm]
    text = "Applied above; a correction never changes the record it corrects."
    return [*story, Paragraph(text, styles.small), table(rows, widths, styles)]


def verification_section(report: LotReport, styles: Styles) -> Story:
    v = report.verification
    story: Story = [CondPageBreak(50 * mm), Paragraph("7. Verification", styles.h1)]
    story.append(Paragraph(escape(v.format().splitlines()[0]), styles.body))
    story.append(Paragraph(escape(key_sentence(report)), styles.body))
    seen = {s.stream: s for s in v.streams}
    rows = [["Stream", "Records", "Head", "Head hash (bundle header)", "Signed to", "Status"]]
    troubled = {f.stream for f in v.findings if f.severity.value == "error"}
    for head in report.heads:
        summary = seen.get(head.stream)
        status = "see findings" if head.stream in troubled else "OK"
        sealed = ", sealed" if head.sealed else ""
        records = str(summary.records) if summary else "absent"
        signed = f"#{summary.signed_up_to}" if summary else "—"
        digest = f"{head.hash[:32]}\n{head.hash[32:]}"
        rows.append([head.stream, records, f"#{head.seq}{sealed}", digest, signed, status])
    widths = [52 * mm, 16 * mm, 20 * mm, 48 * mm, 18 * mm, W - 154 * mm]
    story.append(table(rows, widths, styles, mono=(3,), narrow=()))
    story.append(Paragraph("Findings", styles.h2))
    if v.findings:
        rows = [["Severity", "Kind", "Where", "What"]]
        rows += [[f.severity.value, f.kind.value, f.location(), f.message] for f in v.findings]
        story.append(table(rows, [17 * mm, 24 * mm, 56 * mm, W - 97 * mm], styles, narrow=()))
    else:
        text = "None: every record chains to the one before it and every signature verifies."
        story.append(Paragraph(text, styles.body))
    if v.notes:
        story.append(Paragraph("Notes", styles.h2))
        story += [Paragraph("• " + escape(note), styles.small) for note in v.notes]
    if v.contents:
        caveat = "" if v.ok else " (the verification failed: this is not proof)"
        story.append(Paragraph(f"What the records say{caveat}", styles.h2))
        story += [Paragraph(_indented(line), styles.mono) for line in v.contents]
    return story


def _acts_table(acts: list[Act], styles: Styles, times: Times) -> Flowable:
    rows = [["Time", "Act", "Signed by", "Reason or comment"]]
    for a in acts:
        note = " (voided)" if a.voided else " (amended)" if a.amended else ""
        what = ACT_WORDS.get(a.kind, a.kind) + note
        if a.kind == "lot_decided":
            what += f": {a.decision} after {a.alarm or a.excursion}"
        rows.append([times.cell(a.ts), what, f"{a.printed_name} ({a.user})", a.reason])
    return table(rows, [TIME_W, 44 * mm, 44 * mm, W - TIME_W - 88 * mm], styles)


def _decision(excursion: Excursion, decisions: list[Act]) -> str:
    for act in decisions:
        if act.excursion == excursion.location:
            return f"{act.decision} ({act.printed_name})"
    return "none recorded"


def _indented(line: str) -> str:
    """A line whose leading spaces show: a ``Paragraph`` would drop them."""
    text = line.lstrip(" ")
    return "&nbsp;" * (len(line) - len(text)) + escape(text)


def _count(value: float) -> str:
    if math.isnan(value):
        return "—"
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def _c(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} °C"
