"""The inspector's dossier of a real lot, read back as text and as a picture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.journal import export_lot_bundle, load_key_file
from monitor.journal.api import verify_bundle_entries
from monitor.reports.bundle_view import load_bundle
from monitor.reports.dossier_pdf import write_dossier
from monitor.reports.lot_report import build_report
from tests.monitor.reports.lot_lab import ANNE, LOT, SITE_NAME, SOPHIE, LotLab, shared_lot_lab
from tests.monitor.reports.pdf_reading import ink_fraction, page_count, page_png, pdf_text


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LotLab:
    return shared_lot_lab(tmp_path_factory.getbasetemp())


def bundle_of(lab: LotLab, folder: Path) -> Path:
    bundle = folder / "lot.jsonl"
    key = load_key_file(lab.key_file)
    export_lot_bundle(lab.journal, LOT, bundle, key=key, time_zone="Europe/Paris")
    return bundle


def dossier_of(lab: LotLab, bundle: Path, pdf: Path) -> str:
    view = load_bundle(bundle)
    verification = verify_bundle_entries(
        view.header, view.entries, load_key_file(lab.key_file).public
    )
    write_dossier(build_report(view, verification, "Europe/Paris"), pdf)
    return view.sha256


def test_the_dossier_shows_the_lot_its_cycle_and_its_signers(lab: LotLab, tmp_path: Path) -> None:
    pdf = tmp_path / "dossier.pdf"
    sha256 = dossier_of(lab, bundle_of(lab, tmp_path), pdf)
    first, text = pdf_text(pdf, 1, 1), pdf_text(pdf)
    assert "Lot dossier L2026-001" in first
    assert "Verification: OK" in first
    assert sha256 in first
    assert "Europe/Paris" in first
    assert f"Cycle {lab.cycle}: PASS" in text
    for figure in ("come-up to 58 °C", "come-up to the setpoint", "plateau",
                   "maximum during the plateau", "time at or above 58 °C",
                   "time to cool below 6 °C", "13 min 00 s", "63.60 °C"):  # fmt: skip
        assert figure in text, figure
    assert "donors' references: D001, D002, D003" in text
    assert "LAB-2026-117" in text
    assert "LAB-2026-131" in text
    assert f"{ANNE} (anne): bottle probe reseated" in text  # the acknowledgement
    assert f"{SOPHIE} (sophie)" in text  # the release
    assert "released" in text
    assert "Néonatologie" in text
    assert "5.5 °C" in text  # the fridge's maximum during the stay
    assert "None: every record chains" in text
    assert SITE_NAME not in text  # the bundle does not name the site: nor does the page
    assert page_count(pdf) >= 2


def test_page_one_is_a_picture_not_a_blank(lab: LotLab, tmp_path: Path) -> None:
    pdf = tmp_path / "dossier.pdf"
    dossier_of(lab, bundle_of(lab, tmp_path), pdf)
    png = page_png(pdf, 1, tmp_path / "page1.png")
    assert png.stat().st_size > 10_000
    assert ink_fraction(png) > 0.05


def test_the_same_bundle_gives_the_same_file(lab: LotLab, tmp_path: Path) -> None:
    bundle = bundle_of(lab, tmp_path)
    dossier_of(lab, bundle, tmp_path / "a.pdf")
    dossier_of(lab, bundle, tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_one_altered_reading_says_failed_and_where_on_page_one(lab: LotLab, tmp_path: Path) -> None:
    bundle = bundle_of(lab, tmp_path)
    lines = bundle.read_text().split("\n")
    n, record = next(
        (n, r)
        for n, r in enumerate(map(json.loads, lines[1:]), start=1)
        if r["kind"] == "reading" and r["stream"] == lab.cycle and r["seq"] > 2000
    )
    record["fields"]["value"] = ["f", "71.5"]
    lines[n] = json.dumps(record, separators=(",", ":"))
    bundle.write_text("\n".join(lines))
    pdf = tmp_path / "altered.pdf"
    dossier_of(lab, bundle, pdf)
    first = pdf_text(pdf, 1, 1)
    assert "Verification: FAILED" in first
    assert f"altered at {lab.cycle}#{record['seq']}" in first
    assert "not proof" in first
    assert "VERIFICATION FAILED" in pdf_text(pdf, 2, 2)  # every page says so
