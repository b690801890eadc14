"""The QR code drawn as vector shapes is segno's symbol, module for module, the right way up."""

from __future__ import annotations

import segno

from monitor.reports.qr import QUIET_MODULES, qr_drawing

DATA = "lactamon:bundle:L2026-001:sha256:" + "ab" * 32


def test_the_drawing_is_the_symbol_with_its_quiet_zone() -> None:
    expected = [list(row) for row in segno.make(DATA, error="m").matrix_iter(border=QUIET_MODULES)]
    size = 100.0
    drawing = qr_drawing(DATA, size)
    module = size / len(expected)
    dark = [[0] * len(expected) for _ in expected]
    for rect in drawing.contents:
        row = round((size - rect.y - module) / module)
        first = round(rect.x / module)
        for column in range(first, first + round((rect.width - 0.05) / module)):
            dark[row][column] = 1
    assert dark == expected
    assert not any(expected[0])  # the quiet zone is white
