"""The child that prints a month of daily sheets for a page: ``python -m
monitor.web.sheet_pdf_child`` with its job as JSON on standard input (the journal, the
enclosure's settings, the month, the site, the zone, when it is printed, the PDF to write).

It reads the journal itself, read-only, as ``lactamon sheet --month --pdf`` does, and loads
reportlab, which the daemon that started it never does. Exit 0 with the PDF written; 1 with
the reason as the last line of standard error.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from config.equipment import Enclosure
from monitor.journal import JournalError, JournalReader
from monitor.sheets.days import parse_month
from monitor.sheets.read import read_month


def main() -> int:
    try:
        job = json.loads(sys.stdin.read())
        enclosure = Enclosure.model_validate(job["enclosure"])
        month = parse_month(job["month"])
        with JournalReader(Path(job["journal"])) as reader:
            sheets = read_month(reader, enclosure.id, month)
        from monitor.reports.sheet_pdf import Page, write_month_pdf

        page = Page(enclosure, enclosure.id, sheets)
        today = date.fromisoformat(job["today"])
        write_month_pdf(Path(job["pdf"]), [page], job["site"], job["zone"], job["printed"], today)
    except (JournalError, OSError, ValueError, KeyError) as exc:
        print(f"sheet_pdf_child: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
