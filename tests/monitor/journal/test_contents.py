"""Verifying a bundle also says what it proves: each cycle's verdict and the lot's state."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.journal import export_lot_bundle, verify_bundle
from tests.monitor.journal import samples
from tests.monitor.journal.lot_samples import (
    FAILED,
    FAILED_REASONS,
    LOT,
    PASSED,
    build_lot_journal,
)

KEY = samples.device_key()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("contents")
    build_lot_journal(folder / "journal.sqlite", KEY)
    export_lot_bundle(folder / "journal.sqlite", LOT, folder / "lot.jsonl", key=KEY)
    return folder / "lot.jsonl"


def test_each_cycle_verdict_comes_from_its_closing_record(bundle: Path) -> None:
    report = verify_bundle(bundle, KEY.public)
    assert report.ok, report.format()
    assert f"{PASSED}: PASS" in report.contents
    assert f"{FAILED}: FAIL: {FAILED_REASONS}" in report.contents
    assert f"{PASSED}: PASS" in report.format()


def test_the_lot_state_says_where_it_stands(bundle: Path) -> None:
    contents = verify_bundle(bundle, KEY.public).contents
    [state] = [line for line in contents if line.startswith(f"lot {LOT}:")]
    assert state == f"lot {LOT}: not pasteurised (cycle {FAILED} FAIL)"
    details = "\n".join(contents)
    assert "sub-lots D001, D002" in details
    assert "before: total flora 8000 CFU/mL, S. aureus 0 CFU/mL (LAB-21)" in details
    assert "after: not recorded" in details
    assert "in F1 since 2026-11-26T10:00:00Z" in details
    assert f"cycles: {PASSED} PASS, {FAILED} FAIL\n" in details


def test_a_cycle_without_a_closing_record_has_no_verdict(tmp_path: Path) -> None:
    samples.build_journal(tmp_path / "j.sqlite", KEY)
    export_lot_bundle(tmp_path / "j.sqlite", samples.LOT, tmp_path / "b.jsonl", key=KEY)
    contents = verify_bundle(tmp_path / "b.jsonl", KEY.public).contents
    assert f"{samples.CYCLE}: no verdict (no closing record)" in contents
    state = f"lot {samples.LOT}: being pasteurised (cycle {samples.CYCLE} has no verdict yet)"
    assert state in contents


def test_what_a_failed_verification_says_is_marked_as_no_proof(
    bundle: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tampered.jsonl"
    out.write_text(bundle.read_text().replace("D001,D002", "D001,D009"))
    report = verify_bundle(out, KEY.public)
    assert not report.ok
    assert "not proof" in report.format()
