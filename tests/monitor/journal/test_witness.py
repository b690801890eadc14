"""Heads published before a rewrite catch what a valid signature cannot: a same-key rewrite."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from monitor.journal import (
    FindingKind,
    JournalReader,
    Record,
    export_lot_bundle,
    verify_bundle,
    verify_journal,
)
from monitor.journal.bundle import read_bundle, write_bundle
from monitor.journal.bundle_signing import sign_header
from monitor.journal.signing import SIGNED_KINDS
from monitor.journal.witness import PublishedHead
from tests.monitor.journal.forgery import new_value, rewrite_journal
from tests.monitor.journal.lot_samples import FRIDGE, LOT, PASSED, build_lot_journal
from tests.monitor.journal.samples import device_key

KEY = device_key()
K = FindingKind


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("witness") / "journal.sqlite"
    build_lot_journal(path, KEY)
    return path


def published(journal: Path) -> list[PublishedHead]:
    """The latest checkpoint or seal of each stream, as the broker and InfluxDB keep them."""
    latest: dict[str, Record] = {}
    with JournalReader(journal) as reader:
        for _, record in reader.records_after(0, 100_000, SIGNED_KINDS):
            latest[record.stream] = record
    return [PublishedHead(r, "test witness") for r in latest.values()]


def test_an_untouched_journal_holds_every_published_head(journal: Path) -> None:
    report = verify_journal(journal, KEY.public, published=published(journal))
    assert report.ok, report.format()
    assert any("published head(s) found in the journal" in note for note in report.notes)


def test_a_same_key_rewrite_passes_verify_but_not_the_published_heads(
    journal: Path, tmp_path: Path
) -> None:
    heads = published(journal)
    rewritten = tmp_path / "rewritten.sqlite"
    records = rewrite_journal(journal, rewritten, KEY, FRIDGE, 3, new_value(9.5))
    assert verify_journal(rewritten, KEY.public).ok
    report = verify_journal(rewritten, KEY.public, published=heads)
    head = next(h.entry for h in heads if h.entry.stream == FRIDGE)
    assert isinstance(head, Record)
    assert [(f.kind, f.stream, f.seq) for f in report.errors] == [(K.REWRITTEN, FRIDGE, head.seq)]
    assert report.errors[0].message == (
        f"stream {FRIDGE}: published head #{head.seq} {head.hash.hex()[:16]}… is not in the "
        f"journal: rewritten after it was published (the journal holds "
        f"{records[head.seq - 1].hash.hex()[:16]}… at #{head.seq})"
    )
    assert report.errors[0].where == "test witness"


def test_a_stream_cut_after_its_published_head_has_missing_records(
    journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lot.jsonl"
    export_lot_bundle(journal, LOT, out, key=KEY)
    header, entries = read_bundle(out)
    kept = [e for e in entries if isinstance(e, Record) and not (e.stream == FRIDGE and e.seq > 9)]
    last = kept[[e.stream for e in kept].index(FRIDGE) + 8]
    heads = {**header.heads, FRIDGE: (9, last.hash.hex())}
    cut = tmp_path / "cut.jsonl"
    write_bundle(cut, sign_header(replace(header, heads=heads), KEY), iter([kept]))
    assert verify_bundle(cut, KEY.public).ok  # re-signed with the device key: it holds
    report = verify_bundle(cut, KEY.public, published=published(journal))
    head = next(h.entry for h in published(journal) if h.entry.stream == FRIDGE)
    assert [(f.kind, f.stream, f.seq, f.seq_end) for f in report.errors] == [
        (K.MISSING, FRIDGE, 10, head.seq)
    ]
    assert "missing records" in report.errors[0].message


def test_a_published_head_that_does_not_verify_is_no_witness(journal: Path) -> None:
    forged = []
    for head in published(journal):
        record = head.entry
        if isinstance(record, Record) and record.stream == PASSED:
            fields = {**record.fields, "reason": "forged"}
            head = PublishedHead(replace(record, fields=fields, hash=bytes(32)), head.witness)
        forged.append(head)
    report = verify_journal(journal, KEY.public, published=forged)
    assert report.ok, report.format()
    assert any(PASSED in note and "does not verify" in note for note in report.notes)
