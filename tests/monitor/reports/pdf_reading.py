"""Reading a PDF back as a person would: its text (pdftotext) and a page's picture (pdftoppm)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of the PDF, or of pages ``first``..``last``, its whitespace as single
    spaces: a phrase is found even where a table cell wrapped it."""
    pages = []
    if first is not None:
        pages += ["-f", str(first)]
    if last is not None:
        pages += ["-l", str(last)]
    done = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60)  # fmt: skip
    return " ".join(done.stdout.split())


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def page_png(pdf: Path, page: int, out: Path, resolution: int = 60) -> Path:
    """Page ``page`` as a PNG at ``resolution`` dpi."""
    prefix = out.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(prefix)], check=True, timeout=60)  # fmt: skip
    return prefix.with_suffix(".png")


def ink_fraction(png: Path) -> float:
    """The share of pixels that are not white: 0 for a blank page."""
    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
        total = grey.width * grey.height
    return 1 - sum(histogram[245:]) / total
