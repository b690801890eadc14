"""The dossier's pasteurisation section: each cycle the lot links, as flowables.

Its program, setpoint and hold, the probe it was judged on, the verdict in words with every
reason, the curve (``curve_chart``), the EMBA figures as ``cycle_summary`` names them, what
the cycle's stream records, and its alarms with who acknowledged them.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from monitor.reports.curve_chart import curve_drawing
from monitor.reports.cycle_summary import CycleSummary
from monitor.reports.dossier_sections import TIME_W, Story, W
from monitor.reports.lot_report import CycleSection, LotReport
from monitor.reports.pdf_style import Styles, escape, table
from monitor.reports.times import Times


def cycle_sections(report: LotReport, styles: Styles, times: Times, width: float) -> Story:
    story: Story = [CondPageBreak(90 * mm), Paragraph("2. Pasteurisation", styles.h1)]
    if not report.cycles:
        return [*story, Paragraph("No cycle is linked to the lot.", styles.body)]
    for section in report.cycles:
        story += _cycle(section, report, styles, times, width)
    return story


def _cycle(
    section: CycleSection, report: LotReport, styles: Styles, times: Times, width: float
) -> Story:
    summary = section.summary
    voided = " (link voided)" if section.voided else ""
    if summary is None:
        title = Paragraph(f"Cycle {escape(section.cycle)}{voided}", styles.h2)
        text = "The bundle does not carry this cycle's records: nothing about it is proven here."
        return [title, Paragraph(text, styles.body)]
    story: Story = [
        Paragraph(f"Cycle {escape(section.cycle)}: {_word(summary)}{voided}", styles.h2),
        Paragraph(escape(_program_line(section, times)), styles.body),
        Paragraph(f"<b>Verdict:</b> {escape(verdict_words(section))}", styles.body),
        Spacer(1, 2 * mm),
    ]
    if section.curve is not None and section.curve.readings:
        start = times.when(section.curve.start_ns)
        story.append(curve_drawing(section.curve, width, 70 * mm, start))
        faults = sum(s.faults for s in section.curve.series)
        counted = f"{section.curve.readings} readings, {faults} faulty (not drawn)"
        story.append(Paragraph(counted, styles.small))
    story.append(Spacer(1, 2 * mm))
    story.append(KeepTogether([_figures(summary.figure_lines(), styles)]))
    story.append(Paragraph("What the cycle's stream records", styles.h2))
    events = [["Time", "Event", "Detail"]]
    events += [[times.cell(e.ts), e.what, e.detail] for e in section.events]
    if len(events) == 1:
        events.append(["", "nothing but its readings, start and verdict", ""])
    story.append(table(events, [TIME_W, 52 * mm, W - TIME_W - 52 * mm], styles))
    story.append(Paragraph("Alarms and acknowledgements", styles.h2))
    story += _alarms(section, report, styles, times)
    return story


def _figures(lines: list[tuple[str, str]], styles: Styles) -> Flowable:
    """The figures two by two: label, value, label, value."""
    if not lines:
        lines = [("no figure recorded (no closing record)", "")]
    half = (len(lines) + 1) // 2
    rows = [["Figure (EMBA 2019)", "Value", "Figure", "Value"]]
    for n in range(half):
        right = lines[half + n] if half + n < len(lines) else ("", "")
        rows.append([*lines[n], *right])
    widths = [58 * mm, 32 * mm, 58 * mm, 32 * mm]
    return table(rows, widths, styles, narrow=())


def _program_line(section: CycleSection, times: Times) -> str:
    summary = section.summary
    assert summary is not None
    f = section.start_fields
    if not f:
        return "The bundle holds no start record of this cycle: its program is not known."
    hold = f.get("hold_s")
    judged = str(f.get("judged_probes", "")) or "?"
    on = "the bath (no reference probe: weaker evidence)" if f.get("judged_on_bath") else judged
    setpoint = f"{summary.setpoint_c:g} °C" if summary.setpoint_c is not None else "?"
    minutes = f"{hold / 60:g} min" if isinstance(hold, int | float) else "?"
    started = f" Started {times.when(summary.started_ts)}" if summary.started_ts else ""
    closed = f", closed {times.when(summary.closed_ts)}" if summary.closed_ts else ""
    return (
        f"Program {summary.program or '?'}: {setpoint} or more for {minutes}, judged on "
        f"{on}; lots {', '.join(summary.lots) or '?'}.{started}{closed}."
    )


def _word(summary: CycleSummary) -> str:
    """PASS, FAIL, ABORTED; where an open cycle stands; "no verdict" for one sealed without."""
    if summary.verdict in ("PASS", "FAIL", "ABORTED") or not summary.sealed:
        return summary.verdict
    return "no verdict"


def verdict_words(section: CycleSection) -> str:
    """The verdict in words, with every reason the closing record gives."""
    summary = section.summary
    if summary is None:
        return "no record of the cycle"
    reasons = "; ".join(summary.reasons)
    if summary.verdict == "PASS":
        return "PASS: the hold was proven on the milk and it cooled in time."
    if summary.verdict == "FAIL":
        return f"FAIL: {reasons or 'no reason recorded'}."
    if summary.verdict == "ABORTED":
        return f"ABORTED by a user: {reasons or 'no reason recorded'}; nothing is proven."
    if summary.sealed:
        return "no verdict: the cycle's stream was sealed without a closing record."
    return f"no verdict: the cycle was still {summary.phase} when the bundle was made."


def _alarms(section: CycleSection, report: LotReport, styles: Styles, times: Times) -> Story:
    if report.alarm_span is None:
        text = (
            "The bundle carries no alarm records: the alarms are the unit's, and this bundle "
            "was made without them. What the cycle's own stream records is above."
        )
        return [Paragraph(text, styles.body)]
    first, last = report.alarm_span
    if not section.alarms:
        text = (
            f"No alarm about this cycle, its pasteuriser or its probes in the alarm records "
            f"the bundle carries (alarms #{first}..#{last}, signed around the cycle)."
        )
        return [Paragraph(text, styles.body)]
    rows = [["Time", "Alarm", "Transition", "Message", "Signed by, comment"]]
    for line in section.alarms:
        by = f"{line.by}: {line.comment}" if line.by and line.comment else line.by
        rows.append([times.cell(line.ts), line.alarm, line.action, line.message, by])
    widths = [TIME_W, 28 * mm, 24 * mm, 45 * mm, W - TIME_W - 97 * mm]
    note = f"From the alarm records the bundle carries, #{first}..#{last}."
    return [table(rows, widths, styles), Paragraph(note, styles.small)]
