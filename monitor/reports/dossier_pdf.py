"""The lot dossier as an A4 PDF: what an inspector reads, built from a ``LotReport`` alone.

Page 1 says first whether the records verify (OK, or FAILED and where), with the bundle's
SHA-256 in text and as a QR code, so the paper points at the signed data; then the lot, its
bacteriology, each cycle with its curve and figures, the release, the storage, the lot's
fate, the corrections, and the verification in full (``dossier_sections``). Every page's
foot names the lot and the bundle; when the verification failed, every page's head says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from monitor.reports import dossier_sections as sections
from monitor.reports.dossier_cycles import cycle_sections
from monitor.reports.lot_report import LotReport
from monitor.reports.pdf_style import (
    FAIL_BACK,
    FAIL_RED,
    FONT,
    MUTED,
    OK_BACK,
    OK_GREEN,
    WARN_AMBER,
    WARN_BACK,
    Styles,
    escape,
)
from monitor.reports.qr import qr_drawing
from monitor.reports.times import Times

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
FIRST_PAGE_FINDINGS = 8


def qr_payload(report: LotReport) -> str:
    """What the dossier's QR code says: the bundle it was made from, by its SHA-256."""
    return f"lactamon:bundle:{report.lot}:sha256:{report.sha256}"


def write_dossier(report: LotReport, path: Path) -> None:
    """Write the dossier to ``path`` (``OSError`` when it cannot be written)."""
    styles = Styles()
    times = Times(report.zone)
    story: list[Flowable] = [*_first_page(report, styles, times)]
    story += sections.lot_section(report, styles, times)
    story += cycle_sections(report, styles, times, WIDTH)
    story += sections.release_section(report, styles, times)
    story += sections.storage_section(report, styles, times)
    story += sections.fate_section(report, styles, times)
    story += sections.corrections_section(report, styles, times)
    story += sections.verification_section(report, styles)
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN + 2 * mm,
        title=f"Lot dossier {report.lot}",
        author="lactamon",
        subject=f"bundle sha256:{report.sha256}",
        # A dossier is evidence: the same report must give the same file, not one stamped
        # with the moment it was printed.
        invariant=True,
    )
    decorate = _Decoration(report)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_PagesCanvas)


def _first_page(report: LotReport, styles: Styles, times: Times) -> list[Flowable]:
    title = Paragraph(f"Lot dossier {escape(report.lot)}", styles.title)
    subtitle = Paragraph(
        "The lot's pasteurisation, storage and fate, as its signed records state them.",
        styles.small,
    )
    box = _verification_box(report, styles)
    qr_size = 34 * mm
    identity = [
        Paragraph(f"<b>Bundle SHA-256</b> (the QR code carries it): {report.sha256}", styles.mono),
        Paragraph(
            f"Exported from the device {escape(times.when(report.created_ns))}; "
            f"header signed with key id {escape(report.key_id)}.",
            styles.small,
        ),
        Paragraph(
            f"Times are {escape(report.zone)} local time, UTC in brackets: the bundle does "
            "not state the site's time zone.",
            styles.small,
        ),
    ]
    top = Table(
        [[[title, subtitle, Spacer(1, 4), box, Spacer(1, 4), *identity],
          qr_drawing(qr_payload(report), qr_size)]],
        colWidths=[WIDTH - qr_size - 4 * mm, qr_size + 4 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                          ("LEFTPADDING", (0, 0), (-1, -1), 0),
                          ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                          ("ALIGN", (1, 0), (1, 0), "RIGHT")]),
    )  # fmt: skip
    return [top, Spacer(1, 3 * mm)]


def _verification_box(report: LotReport, styles: Styles) -> Table:
    verdict = report.verdict
    ink, back = {
        "OK": (OK_GREEN, OK_BACK),
        "FAILED": (FAIL_RED, FAIL_BACK),
    }.get(verdict, (WARN_AMBER, WARN_BACK))
    summary = report.verification.format().splitlines()[0]
    lines: list[Flowable] = [
        Paragraph(f'<font color="{ink.hexval()}">Verification: {verdict}</font>', styles.verdict),
        Paragraph(escape(summary), styles.cell),
        Paragraph(escape(sections.key_sentence(report)), styles.cell),
    ]
    errors = report.verification.errors
    if errors:
        lines.append(Paragraph("<b>Where the records fail:</b>", styles.cell))
        for finding in errors[:FIRST_PAGE_FINDINGS]:
            text = f"{finding.kind.value} at {finding.location()}: {finding.message}"
            lines.append(Paragraph("• " + escape(text), styles.cell))
        if len(errors) > FIRST_PAGE_FINDINGS:
            more = len(errors) - FIRST_PAGE_FINDINGS
            lines.append(Paragraph(f"… and {more} more (section Verification).", styles.cell))
        lines.append(Paragraph("<b>What these pages show is not proof.</b>", styles.cell))
    width = WIDTH - 38 * mm - 4 * mm
    return Table(
        [[lines]],
        colWidths=[width],
        style=TableStyle([("BACKGROUND", (0, 0), (-1, -1), back),
                          ("BOX", (0, 0), (-1, -1), 0.8, ink),
                          ("LEFTPADDING", (0, 0), (-1, -1), 6),
                          ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                          ("TOPPADDING", (0, 0), (-1, -1), 4),
                          ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]),
    )  # fmt: skip


class _Decoration:
    """The head and foot of every page."""

    def __init__(self, report: LotReport) -> None:
        self.foot = f"Lot dossier {report.lot} · bundle SHA-256 {report.sha256[:16]}…"
        self.failed = not report.verification.ok

    def __call__(self, canvas: Canvas, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, self.foot)
        if self.failed:
            canvas.setFillColor(FAIL_RED)
            canvas.rect(MARGIN, A4[1] - MARGIN - 1 * mm, WIDTH, 5 * mm, stroke=0, fill=1)
            canvas.setFillColor(FAIL_BACK)
            canvas.setFont(FONT, 8)
            canvas.drawString(
                MARGIN + 2 * mm,
                A4[1] - MARGIN + 0.6 * mm,
                "VERIFICATION FAILED: the records of this dossier do not verify; see page 1",
            )
        canvas.restoreState()


class _PagesCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """A canvas that writes "page N of M": pages are kept until the count is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            self.setFont(FONT, 7)
            self.setFillColor(MUTED)
            self.drawRightString(
                A4[0] - MARGIN, MARGIN - 2 * mm, f"page {self._pageNumber} of {total}"
            )
            super().showPage()
        super().save()
