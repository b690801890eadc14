"""A busy month on paper: every day closed and signed, excursions, faults, a correction.

The page must hold the whole month on one A4 sheet per enclosure, each day's figures and
signer in text a reader (``pdftotext``) finds, and the review.
"""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

from monitor.journal import Journal, JournalReader
from monitor.journal.streams import sheets_stream
from monitor.reports.sheet_pdf import Page, write_month_pdf
from monitor.sheets.days import local_ns
from monitor.sheets.model import (
    REVIEW_MEANING,
    REVIEWED,
    SIGN_MEANING,
    SIGNED,
    reviewed_fields,
    signed_fields,
)
from monitor.sheets.read import read_month, read_sheet
from monitor.signature import Signature
from tests.monitor.journal.samples import device_key
from tests.monitor.service.lab_settings import lab_settings
from tests.monitor.sheets.month_journal import ZONE, Day, Excursion, SetClock, close_day

NOV = date(2026, 11, 1)
SIGNERS = [Signature("anne", "Anne Martin", SIGN_MEANING),
           Signature("marc", "Marc-Antoine de La Fontaine-Lefèvre", SIGN_MEANING)]  # fmt: skip


def busy_month(path: Path) -> None:
    journal = Journal(path, device_key(), SetClock(local_ns(date(2026, 12, 2), 600, ZONE)))
    stream = sheets_stream("F1", NOV)
    for i in range(30):
        day = NOV + timedelta(days=i)
        trips = (Excursion(8 * 60, 8 * 60 + 25, 6.1),) if i % 4 == 0 else ()
        faults = ("F1-air", "F1-air") if i % 9 == 0 else ()
        close_day(journal, "F1", Day(day, 1.5 + i / 100, 4.5 - i / 100, 3.05, trips, faults))
        journal.flush()
        with JournalReader(path) as reader:
            sheet = read_sheet(reader, "F1", day)
        signer = SIGNERS[i % 2]
        journal.append_event(stream, SIGNED, signed_fields(sheet, signer, None, ""),
                             ts=local_ns(day + timedelta(days=1), 540 + i, ZONE))  # fmt: skip
    journal.flush()
    with JournalReader(path) as reader:
        sheet = read_sheet(reader, "F1", NOV + timedelta(days=5))
    journal.append_event(stream, SIGNED, signed_fields(sheet, SIGNERS[0], sheet.signature, "typo"),
                         ts=local_ns(date(2026, 12, 1), 600, ZONE))  # fmt: skip
    journal.flush()
    with JournalReader(path) as reader:
        month = read_month(reader, "F1", NOV)
    sophie = Signature("sophie", "Dr Sophie Bernard", REVIEW_MEANING, "all seen")
    journal.append_event(stream, REVIEWED, reviewed_fields(month, sophie, None, ""),
                         ts=local_ns(date(2026, 12, 2), 600, ZONE))  # fmt: skip
    journal.close()


def test_a_busy_month_fits_its_page(tmp_path: Path) -> None:
    settings = lab_settings(tmp_path, 1883)
    busy_month(tmp_path / "journal.sqlite")
    with JournalReader(tmp_path / "journal.sqlite") as reader:
        months = [read_month(reader, e.id, NOV) for e in settings.enclosures]
    pages = [Page(e, e.id, m) for e, m in zip(settings.enclosures, months, strict=True)]
    pdf = tmp_path / "month.pdf"
    write_month_pdf(pdf, pages, "Lactarium", ZONE, "2026-12-03 09:00", date(2026, 12, 3))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Pages:           3" in info.stdout
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "Daily temperature sheets — F1, November 2026" in text
    assert "Mon 30" in text
    assert "Sun 01" in text
    assert "1.5 °C" in text
    assert "4.5 °C" in text
    assert "1.8 °C" in text
    assert "4.2 °C" in text
    assert "Anne Martin" in text
    assert "Lefèvre" in text
    assert "Anne Martin (corrects" in text
    assert "Reviewed by Dr Sophie Bernard (sophie) on 2026-12-02 10:00" in text
    assert "A signature was corrected after this review" not in text
    assert "and 5 more: lactamon sheet show" in text  # 8 excursions and 8 faults, 11 shown
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
