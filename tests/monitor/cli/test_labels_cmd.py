"""``lactamon labels``: a sheet of bottle labels for a pasteurised lot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monitor.cli.labels_cmd import _months_later
from monitor.cli.main import main
from monitor.journal import Journal, JournalReader, LotBook, load_key_file
from tests.monitor.reports.lot_lab import LOT, SITE_NAME, LotLab, anne, shared_lot_lab
from tests.monitor.reports.pdf_reading import page_count, pdf_text


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LotLab:
    return shared_lot_lab(tmp_path_factory.getbasetemp())


def labels(lab: LotLab, pdf: Path, *more: str) -> int:
    return main(["labels", "--lot", LOT, "--pdf", str(pdf), "--config", str(lab.config), *more])


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (24, 1), (30, 2)])
def test_the_lot_number_is_on_every_label(
    lab: LotLab, tmp_path: Path, count: int, pages: int
) -> None:
    pdf = tmp_path / "labels.pdf"
    assert labels(lab, pdf, "--count", str(count)) == 0
    text = pdf_text(pdf)
    assert text.count(LOT) == count
    assert text.count(SITE_NAME) == count
    assert text.count("Pasteurised") == text.count("2026-06-01") == count
    assert text.count("Use by") == text.count("2026-12-01") == count  # six months later
    assert page_count(pdf) == pages


def test_the_qr_code_names_the_lot_s_signed_head(
    lab: LotLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert labels(lab, tmp_path / "labels.pdf", "--use-by", "2026-09-01") == 0
    out = capsys.readouterr().out
    with JournalReader(lab.journal) as reader:
        head = reader.stream_head(f"lot:{LOT}")
    assert head is not None
    assert f"QR code: lactamon:lot:{LOT}:{lab.key_id}:{head[1].hex()}" in out
    assert "use by 2026-09-01" in out
    assert "2026-09-01" in pdf_text(tmp_path / "labels.pdf")


def test_a_lot_not_pasteurised_gets_no_label(
    lab: LotLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "journal.sqlite"
    with Journal(journal, load_key_file(lab.key_file)) as writer:
        LotBook(writer).create("L2026-002", ["D9"], anne("created"))
    args = ["labels", "--lot", "L2026-002", "--pdf", str(tmp_path / "x.pdf"), "--config",
            str(lab.config), "--journal", str(journal)]  # fmt: skip
    assert main(args) == 1
    assert "has no passed cycle" in capsys.readouterr().err
    assert labels(lab, tmp_path / "x.pdf", "--count", "0") == 2
    assert not (tmp_path / "x.pdf").exists()


def test_six_months_later_stays_in_the_month() -> None:
    assert _months_later(date(2026, 8, 31)) == date(2027, 2, 28)
    assert _months_later(date(2026, 6, 1)) == date(2026, 12, 1)
    assert _months_later(date(2027, 7, 15)) == date(2028, 1, 15)
