"""``lactamon dossier``: the same document from the journal and from the bundle alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli.main import main
from tests.monitor.reports.lot_lab import LOT, LotLab, shared_lot_lab
from tests.monitor.reports.pdf_reading import pdf_text


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LotLab:
    return shared_lot_lab(tmp_path_factory.getbasetemp())


def from_journal(lab: LotLab, pdf: Path, *more: str) -> int:
    return main(["dossier", "--lot", LOT, "--pdf", str(pdf), "--config", str(lab.config),
                 "--key-id", lab.key_id, *more])  # fmt: skip


def test_from_the_journal_and_from_its_bundle_the_same_document(
    lab: LotLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "kept.jsonl"
    assert from_journal(lab, tmp_path / "journal.pdf", "--keep-bundle", str(kept)) == 0
    out = capsys.readouterr().out
    assert "verification: OK" in out
    inspector = tmp_path / "inspector.pdf"
    args = ["dossier", "--bundle", str(kept), "--pdf", str(inspector), "--public-key",
            lab.public_key]  # fmt: skip
    assert main(args) == 0
    assert pdf_text(tmp_path / "journal.pdf") == pdf_text(inspector)
    assert (tmp_path / "journal.pdf").read_bytes() == inspector.read_bytes()


def test_a_bundle_exported_apart_differs_only_by_its_hash_and_export_time(
    lab: LotLab, tmp_path: Path
) -> None:
    bundle = tmp_path / "lot.jsonl"
    export = ["export", "--lot", LOT, "--bundle", str(bundle), "--config", str(lab.config)]
    assert main(export) == 0
    assert main(["dossier", "--bundle", str(bundle), "--pdf", str(tmp_path / "b.pdf"),
                 "--key-id", lab.key_id]) == 0  # fmt: skip
    assert from_journal(lab, tmp_path / "j.pdf") == 0

    def identity_free(pdf: Path) -> str:
        text = pdf_text(pdf)
        text = re.sub(r"[0-9a-f]{64}", "<sha256>", text)
        text = re.sub(r"[0-9a-f]{16}…", "<sha256>…", text)
        return re.sub(r"Exported from the device [^;]*;", "Exported …;", text)

    assert identity_free(tmp_path / "b.pdf") == identity_free(tmp_path / "j.pdf")
    assert "Verification: OK" in pdf_text(tmp_path / "b.pdf")


def test_without_a_trusted_key_the_signer_is_not_established(lab: LotLab, tmp_path: Path) -> None:
    pdf = tmp_path / "d.pdf"
    args = ["dossier", "--lot", LOT, "--pdf", str(pdf), "--config", str(lab.config)]
    assert main(args) == 3
    assert "Verification: INTACT, SIGNER NOT ESTABLISHED" in pdf_text(pdf, 1, 1)


def test_an_altered_bundle_gives_a_failed_dossier_and_exit_1(
    lab: LotLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "lot.jsonl"
    assert from_journal(lab, tmp_path / "ok.pdf", "--keep-bundle", str(bundle)) == 0
    text = bundle.read_text()
    text = text.replace('"value":["f","63.6"]', '"value":["f","66.6"]', 1)
    bundle.write_text(text)
    pdf = tmp_path / "failed.pdf"
    assert main(["dossier", "--bundle", str(bundle), "--pdf", str(pdf), "--key-id",
                 lab.key_id]) == 1  # fmt: skip
    assert "verification: FAILED" in capsys.readouterr().out
    first = pdf_text(pdf, 1, 1)
    assert "Verification: FAILED" in first
    assert re.search(rf"altered at {re.escape(lab.cycle)}#\d+", first)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the bundle"),
        ("", "empty file, not a lactamon bundle"),
        ("not json\n", "the bundle header cannot be read"),
        ('{"format":"something else"}\n', "not a lactamon bundle"),
    ],
)
def test_a_missing_or_corrupt_bundle_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    bundle = tmp_path / "lot.jsonl"
    if content is not None:
        bundle.write_text(content)
    pdf = tmp_path / "d.pdf"
    assert main(["dossier", "--bundle", str(bundle), "--pdf", str(pdf)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not pdf.exists()


def test_wrong_options_are_usage_errors(
    lab: LotLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = str(tmp_path / "d.pdf")
    bundle = str(tmp_path / "b.jsonl")
    assert main(["dossier", "--bundle", bundle, "--pdf", pdf, "--timezone", "Mars/Olympus"]) == 2
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err
    assert main(["dossier", "--bundle", bundle, "--pdf", pdf, "--journal", "j.sqlite"]) == 2
    assert main(["dossier", "--lot", "L2099-001", "--pdf", pdf, "--config", str(lab.config)]) == 1
    assert "no lot L2099-001" in capsys.readouterr().err
    unwritable = str(tmp_path / "no-such-folder" / "d.pdf")
    assert from_journal(lab, Path(unwritable)) == 1
    assert "cannot write the PDF" in capsys.readouterr().err


def test_the_pdf_commands_load_reportlab_only_when_they_run() -> None:
    """Every command module is imported at every start, the daemon's included: these must
    not bring reportlab in (the daemon's resident memory)."""
    code = (
        "import sys\n"
        "import monitor.cli.main, monitor.web.mount\n"
        "assert 'reportlab' not in sys.modules and 'segno' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
