"""The fonts, styles and colours every lactamon PDF shares.

The text is set in Bitstream Vera, which reportlab ships: it is embedded in the file, so a
page reads the same on every machine, and it has the glyphs the records use (°, ≥, −, µ,
accented names) that the PDF base fonts lack.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

FONT, BOLD, ITALIC, MONO = "Vera", "Vera-Bold", "Vera-Italic", "Courier"
_FILES = {
    FONT: "Vera.ttf",
    BOLD: "VeraBd.ttf",
    ITALIC: "VeraIt.ttf",
    "Vera-BoldItalic": "VeraBI.ttf",
}

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b0b0")
SHADE = colors.HexColor("#eeeeee")
OK_GREEN = colors.HexColor("#1e7b34")
OK_BACK = colors.HexColor("#e6f4ea")
FAIL_RED = colors.HexColor("#b3261e")
FAIL_BACK = colors.HexColor("#fce8e6")
WARN_AMBER = colors.HexColor("#8a5a00")
WARN_BACK = colors.HexColor("#fff4d6")


def register_fonts() -> None:
    """Register Vera once per process (reportlab keeps a global registry)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic="Vera-BoldItalic"
    )


def style(name: str, size: float = 9, **options: Any) -> ParagraphStyle:
    settings: dict[str, Any] = {"fontName": FONT, "fontSize": size, "leading": size * 1.25}
    settings["textColor"] = INK
    settings.update(options)
    return ParagraphStyle(name, **settings)


class Styles:
    """The paragraph styles of a document."""

    def __init__(self) -> None:
        register_fonts()
        self.title = style("title", 17, fontName=BOLD, spaceAfter=4)
        # Headings stay on the page of what they head.
        self.h1 = style("h1", 12.5, fontName=BOLD, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.h2 = style("h2", 10.5, fontName=BOLD, spaceBefore=7, spaceAfter=3, keepWithNext=1)
        self.body = style("body", 9)
        self.small = style("small", 7.5, textColor=MUTED)
        self.cell = style("cell", 8)
        self.cell_bold = style("cell_bold", 8, fontName=BOLD)
        self.cell_small = style("cell_small", 7)
        self.mono = style("mono", 6.5, fontName=MONO, leading=8)
        self.verdict = style("verdict", 15, fontName=BOLD, leading=18)


def escape(text: str) -> str:
    """Text for a ``Paragraph``, which reads a little markup: ``&``, ``<`` and ``>`` escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table(
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    styles: Styles,
    *,
    header: bool = True,
    label_column: bool = False,
    mono: Collection[int] = (),
    narrow: Collection[int] = (0,),
) -> Table:
    """A table of wrapped text cells, ruled lightly; the first row (or column) as labels,
    the ``mono`` columns (hashes) in a fixed-width font, the ``narrow`` ones (times, the
    first column unless told) a size smaller. A newline in a cell breaks its line."""
    cells = []
    for r, row in enumerate(rows):
        line = []
        for c, text in enumerate(row):
            chosen = styles.cell
            if (header and r == 0) or (label_column and c == 0):
                chosen = styles.cell_bold
            elif c in mono:
                chosen = styles.mono
            elif c in narrow:
                chosen = styles.cell_small
            line.append(Paragraph(escape(text).replace("\n", "<br/>"), chosen))
        cells.append(line)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    if label_column:
        commands.append(("BACKGROUND", (0, 0), (0, -1), SHADE))
    return Table(
        cells,
        colWidths=list(widths),
        style=TableStyle(commands),
        repeatRows=1 if header else 0,
        hAlign="LEFT",
    )
