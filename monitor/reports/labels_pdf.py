"""A printable A4 sheet of bottle labels for one lot: 3 across, 8 down, 70 × 37 mm each.

Each label carries what Arrêté 1995 annex VIII asks a bottle to show (the lactarium, the
pasteurisation date, the lot number, a use-by date) and a QR code that points at the lot's
signed record: ``lactamon:lot:<lot>:<key id>:<head hash>``, the device key that signs the
journal and the hash of the lot stream's last record when the labels were printed, which
``lactamon verify`` finds in the journal or in any bundle of the lot made since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from monitor.reports.pdf_style import BOLD, FONT, MONO, MUTED, RULE, register_fonts
from monitor.reports.qr import qr_drawing

COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = A4[0] / COLUMNS, A4[1] / ROWS
PAD = 3 * mm
QR_SIZE = 24 * mm


@dataclass(frozen=True, slots=True)
class LabelFacts:
    lactarium: str
    lot: str
    pasteurised: date
    use_by: date
    key_id: str
    head_seq: int
    head_hash: str

    @property
    def payload(self) -> str:
        return f"lactamon:lot:{self.lot}:{self.key_id}:{self.head_hash}"


def write_labels(facts: LabelFacts, count: int, path: Path) -> int:
    """Write ``count`` labels, a sheet of 24 a page; returns the number of pages."""
    register_fonts()
    canvas = Canvas(str(path), pagesize=A4, invariant=True)
    canvas.setTitle(f"Labels of lot {facts.lot}")
    canvas.setAuthor("lactamon")
    qr = qr_drawing(facts.payload, QR_SIZE)
    pages = 0
    for n in range(count):
        place = n % (COLUMNS * ROWS)
        if place == 0 and n:
            canvas.showPage()
        if place == 0:
            pages += 1
            _guides(canvas)
        column, row = place % COLUMNS, place // COLUMNS
        _label(canvas, facts, qr, column * LABEL_W, A4[1] - (row + 1) * LABEL_H)
    canvas.save()
    return pages


def _guides(canvas: Canvas) -> None:
    """Faint cutting lines between the labels (plain paper); sheets of labels ignore them."""
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.2)
    canvas.setDash(1, 3)
    for column in range(1, COLUMNS):
        canvas.line(column * LABEL_W, 0, column * LABEL_W, A4[1])
    for row in range(1, ROWS):
        canvas.line(0, row * LABEL_H, A4[0], row * LABEL_H)
    canvas.setDash()


def _label(canvas: Canvas, facts: LabelFacts, qr: object, x: float, y: float) -> None:
    """The lactarium across the top; below, the lot and its dates, the QR code at the right."""
    top = y + LABEL_H - PAD
    canvas.setFillColor("#000000")
    canvas.setFont(BOLD, 8)
    canvas.drawString(x + PAD, top - 7, _fit(facts.lactarium, BOLD, 8, LABEL_W - 2 * PAD))
    text_w = LABEL_W - 2 * PAD - QR_SIZE - 1 * mm
    canvas.setFont(BOLD, 11)
    canvas.drawString(x + PAD, top - 21, _fit(f"Lot {facts.lot}", BOLD, 11, text_w))
    canvas.setFont(FONT, 7.5)
    canvas.drawString(x + PAD, top - 33, "Pasteurised")
    canvas.drawString(x + PAD, top - 53, "Use by")
    canvas.setFont(BOLD, 9)
    canvas.drawString(x + PAD, top - 43, facts.pasteurised.isoformat())
    canvas.drawString(x + PAD, top - 63, facts.use_by.isoformat())
    canvas.setFont(MONO, 5)
    canvas.setFillColor(MUTED)
    canvas.drawString(x + PAD, y + PAD + 5.5, f"key {facts.key_id}")
    canvas.drawString(x + PAD, y + PAD, f"record #{facts.head_seq} {facts.head_hash[:12]}…")
    renderPDF.draw(qr, canvas, x + LABEL_W - PAD - QR_SIZE, y + PAD - 1 * mm)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text``, cut with an ellipsis if it would run into the QR code."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
