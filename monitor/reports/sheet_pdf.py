"""A month of daily sheets as A4 pages, one per enclosure: the signed temperature sheet.

Arrêté 1995 annex II asks for the temperature sheet of each appliance, signed by the
person responsible. Each page is one enclosure's month: a row per calendar day with the
figures of its closing record, who signed it and when, then the month's review and the
excursions and probe faults of the month. The page says where its records are, so the paper
points at the signed data (``lactamon verify``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from config.equipment import Enclosure
from monitor.reports.pdf_style import BOLD, FAIL_RED, MUTED, RULE, SHADE, Styles, escape, style
from monitor.sheets.days import clock_text, duration_text, local_text, month_days
from monitor.sheets.model import DailySheet, MonthSheets
from monitor.sheets.views import excursion_text

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
HEIGHT = A4[1] - 2 * MARGIN
DETAIL_LINES = 12  # excursions and faults listed under the table; the rest is counted
# Widths in points, each wide enough for its longest value and the words of its heading in
# Vera 8.5 (7.5 bold): a heading or a value broken inside a word reads badly on paper.
COLUMNS = (("Day", 42), ("Min", 40), ("Max", 40), ("Mean", 40), ("Out of band", 36),
           ("Not measured", 50), ("Excursions (alarmed)", 54), ("Probe faults", 34),
           ("Signed by", 0), ("Signed at", 60))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Page:
    """One enclosure's month and what the page says about it."""

    enclosure: Enclosure | None  # None: no longer in the settings, read from the journal
    enclosure_id: str
    month: MonthSheets


def write_month_pdf(
    path: Path, pages: Sequence[Page], site: str, zone: str, printed: str, today: date
) -> None:
    """Write the pages to ``path`` (``OSError`` when it cannot be written)."""
    styles = Styles()
    story: list[Flowable] = []
    for i, page in enumerate(pages):
        if i:
            story.append(PageBreak())
        # One page per enclosure whatever the month held: the details shrink to fit.
        content = _page(page, styles, site, zone, printed, today)
        story.append(KeepInFrame(WIDTH, HEIGHT - 2, content, mode="shrink"))
    month = f"{pages[0].month.month:%Y-%m}" if pages else ""
    document = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"Daily temperature sheets {month}", author=site,
    )  # fmt: skip
    document.build(story)


def _page(
    page: Page, styles: Styles, site: str, zone: str, printed: str, today: date
) -> list[Flowable]:
    month = page.month
    e = page.enclosure
    title = f"Daily temperature sheets — {page.enclosure_id}, {month.month:%B %Y}"
    if e is not None:
        what = f"{e.name or e.id}, {e.kind}, band {_band(e)}, probes {', '.join(e.probes)}"
    else:
        what = "an enclosure no longer in the settings"
    out: list[Flowable] = [
        Paragraph(escape(title), styles.title),
        Paragraph(escape(f"{site} · {what} · local time {zone}"), styles.body),
        Spacer(1, 3 * mm),
        _table(month, today, zone),
        Spacer(1, 3 * mm),
        Paragraph("Monthly review", styles.h2),
        Paragraph(escape(_review(month, zone)), styles.body),
    ]
    details = _details(month, zone)
    if details:
        out.append(Paragraph("Excursions and probe faults", styles.h2))
        out += [Paragraph(escape(line), styles.cell) for line in details]
    notes = (
        f"Figures: the day_summarised record closing each enclosure:{page.enclosure_id}:<day> "
        "stream. Durations in h:mm. Out of band: measured time in excursions; not measured: "
        "time no reading covered. Signed at: month-day and local time. Signatures and the "
        f"review: records of stream {month.stream}, chained and signed by the device key; "
        "check them with lactamon verify. "
        f"Printed {printed}."
    )
    out += [Spacer(1, 3 * mm), Paragraph(escape(notes), styles.small)]
    return out


def _table(month: MonthSheets, today: date, zone: str) -> Table:
    by_day = {s.day: s for s in month.sheets}
    cell = style("sheet_cell", 8.5, leading=10)
    head = style("sheet_head", 7.5, fontName=BOLD)
    weekend = style("sheet_weekend", 8.5, leading=10, textColor=MUTED)
    unsigned = style("sheet_unsigned", 8.5, leading=10, fontName=BOLD, textColor=FAIL_RED)
    signed_width = WIDTH - sum(w for _, w in COLUMNS)
    rows: list[list[Any]] = [[Paragraph(name, head) for name, _ in COLUMNS]]
    for day in month_days(month.month):
        sheet = by_day.get(day)
        styles = [cell] * len(COLUMNS)
        if day.weekday() >= 5:
            styles[0] = weekend
        if sheet is not None and sheet.closed and sheet.signature is None:
            styles[8] = unsigned  # the column "Signed by"
        texts = _row(day, sheet, today, zone)
        rows.append([Paragraph(escape(t), s) for t, s in zip(texts, styles, strict=True)])
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    widths = [w or signed_width for _, w in COLUMNS]
    return Table(rows, colWidths=widths, style=TableStyle(commands), repeatRows=1, hAlign="LEFT")


def _row(day: date, sheet: DailySheet | None, today: date, zone: str) -> list[str]:
    label = f"{day:%a} {day.day:02d}"
    if sheet is None or sheet.figures is None:
        if day >= today:
            state = "open" if day == today else ""
        else:
            state = "no record" if sheet is None else "not closed"
        return [label, "", "", "", "", "", "", "", state, ""]
    f = sheet.figures
    signature = sheet.signature
    if signature is None:
        who, when = "NOT SIGNED", ""
    else:
        corrected = f" (corrects #{signature.replaces_seq})" if signature.replaces_seq else ""
        who = f"{signature.printed_name}{corrected}"
        when = local_text(signature.ts, zone)[5:]  # the month's day and time: 12-01 09:12
    return [label, _c(f.min_c), _c(f.max_c), _c(f.mean_c), duration_text(f.out_of_band_s),
            duration_text(f.unmeasured_s), f"{f.excursions or 0} ({f.alarms or 0})",
            str(len(sheet.faults)), who, when]  # fmt: skip


def _c(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} °C"


def _band(e: Enclosure) -> str:
    low = "" if e.band.low is None else f"{e.band.low:g}"
    return f"{low}..{e.band.high:g} °C" if low else f"≤ {e.band.high:g} °C"


def _review(month: MonthSheets, zone: str) -> str:
    review = month.review
    if review is None:
        return "Not reviewed."
    text = (f"Reviewed by {review.printed_name} ({review.user}) on "
            f"{local_text(review.ts, zone)}: {review.meaning}.")  # fmt: skip
    if review.comment:
        text += f" Comment: {review.comment}"
    if not month.review_stands():
        text += " A signature was corrected after this review: the month is to be reviewed again."
    return text


def _details(month: MonthSheets, zone: str) -> list[str]:
    lines = []
    for sheet in month.sheets:
        day = f"{sheet.day:%a} {sheet.day.day:02d}"  # as the table's rows name it
        lines += [f"{day}  {excursion_text(e, zone)}" for e in sheet.excursions if not e.carried]
        lines += [f"{day}  {clock_text(p.ts, zone)}  {p.probe} {p.what}: {p.detail}"
                  for p in sheet.faults]  # fmt: skip
    if len(lines) > DETAIL_LINES:
        more = len(lines) - DETAIL_LINES + 1
        lines = [*lines[: DETAIL_LINES - 1], f"… and {more} more: lactamon sheet show --day D"]
    return lines
