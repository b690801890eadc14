"""A QR code as reportlab vector shapes: sharp at any printer resolution, no image file.

Each row's dark modules are joined into runs, one rectangle a run, around a quiet zone of
four modules as the standard asks.
"""

from __future__ import annotations

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors

QUIET_MODULES = 4


def qr_drawing(data: str, size: float, error: str = "m") -> Drawing:
    """A square ``Drawing`` of ``size`` points (quiet zone included) that encodes ``data``."""
    code = segno.make(data, error=error, micro=False)
    rows = [list(row) for row in code.matrix_iter(border=QUIET_MODULES)]
    module = size / len(rows)
    drawing = Drawing(size, size)
    for r, row in enumerate(rows):
        y = size - (r + 1) * module
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            run = c
            while run < len(row) and row[run]:
                run += 1
            # A hair wider than the run: adjacent rectangles must not leave white seams.
            drawing.add(
                Rect(c * module, y, (run - c) * module + 0.05, module + 0.05,
                     fillColor=colors.black, strokeColor=None, strokeWidth=0)
            )  # fmt: skip
            c = run
    return drawing
