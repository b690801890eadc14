"""Which key a verification trusts: a key that comes with the records proves integrity only."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from monitor.journal import (
    FindingKind,
    Journal,
    LotBook,
    PublicKeyError,
    export_lot_bundle,
    public_key_b64,
    public_key_pem,
    verify_bundle,
    verify_journal,
)
from monitor.journal.bundle import read_bundle, write_bundle
from monitor.journal.bundle_signing import sign_header
from monitor.journal.record import Record
from monitor.journal.trust import Trust, read_trusted_keys
from tests.monitor.journal.forgery import rechain
from tests.monitor.journal.lot_samples import LOT, build_lot_journal
from tests.monitor.journal.samples import alice, device_key

KEY = device_key()
OTHER = device_key(9)
K = FindingKind


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trust") / "journal.sqlite"
    build_lot_journal(path, KEY)
    return path


@pytest.fixture(scope="module")
def bundle(journal: Path) -> Path:
    out = journal.parent / "lot.jsonl"
    export_lot_bundle(journal, LOT, out, key=KEY)
    return out


@pytest.fixture(scope="module")
def forged(bundle: Path) -> Path:
    """The bundle chained and signed again, header included, with another key."""
    header, entries = read_bundle(bundle)
    records = rechain([e for e in entries if isinstance(e, Record)], OTHER)
    heads = {r.stream: (r.seq, r.hash.hex()) for r in records}  # the last of each stream
    keys = {OTHER.key_id: public_key_b64(OTHER.public)}
    new = sign_header(replace(header, keys=keys, key_id=OTHER.key_id, heads=heads), OTHER)
    out = bundle.parent / "forged.jsonl"
    write_bundle(out, new, iter([records]))
    return out


def test_a_bundle_checked_with_its_own_key_is_intact_but_its_signer_not_established(
    bundle: Path,
) -> None:
    report = verify_bundle(bundle)
    assert report.ok, report.format()
    assert not report.signer_established
    assert "signer not established" in report.format()


def test_a_bundle_forged_with_another_key_is_intact_only_until_a_key_is_trusted(
    forged: Path,
) -> None:
    alone = verify_bundle(forged)
    assert alone.ok, alone.format()
    assert not alone.signer_established
    for trust in (KEY.public, Trust(key_ids=frozenset({KEY.key_id}))):
        report = verify_bundle(forged, trust)
        assert not report.ok
        assert {f.kind for f in report.errors} == {K.WRONG_KEY}
        assert report.signer_established


def test_the_published_key_id_pins_the_key_a_bundle_carries(bundle: Path) -> None:
    report = verify_bundle(bundle, Trust(key_ids=frozenset({KEY.key_id})))
    assert report.ok, report.format()
    assert report.signer_established
    assert report.key_ids == (KEY.key_id,)


def test_a_trusted_keys_file_holds_one_key_per_line(tmp_path: Path, bundle: Path) -> None:
    path = tmp_path / "trusted.keys"
    path.write_text(
        f"# keys of the lactarium's units\n\n{public_key_b64(OTHER.public)} bench unit\n"
        f"{public_key_b64(KEY.public)}\n"
    )
    keys = read_trusted_keys(path)
    assert [public_key_b64(k) for k in keys] == [
        public_key_b64(OTHER.public),
        public_key_b64(KEY.public),
    ]
    report = verify_bundle(bundle, Trust(keys=tuple(keys)))
    assert report.ok, report.format()
    assert report.signer_established
    path.write_text(f"{public_key_b64(KEY.public)}\nnot-a-key\n")
    with pytest.raises(PublicKeyError, match="line 2"):
        read_trusted_keys(path)
    path.write_text(public_key_pem(KEY.public))
    with pytest.raises(PublicKeyError, match="line 1"):
        read_trusted_keys(path)


def test_a_journal_without_a_trusted_key_is_intact_but_its_signer_not_established(
    journal: Path,
) -> None:
    report = verify_journal(journal)
    assert report.ok, report.format()
    assert not report.signer_established
    pinned = verify_journal(journal, Trust(key_ids=frozenset({KEY.key_id})))
    assert pinned.ok, pinned.format()
    assert pinned.signer_established


def test_a_key_given_beside_the_journal_is_trusted_only_when_pinned(tmp_path: Path) -> None:
    path = tmp_path / "forged.sqlite"
    with Journal(path, OTHER) as journal:
        LotBook(journal).create(LOT, ["D1"], alice("created"))
    carried = verify_journal(path, carried=[OTHER.public])
    assert carried.ok
    assert not carried.signer_established
    trust = Trust(key_ids=frozenset({KEY.key_id}))
    pinned = verify_journal(path, trust, carried=[OTHER.public])
    assert {f.kind for f in pinned.errors} == {K.WRONG_KEY}
    assert any(KEY.key_id in note for note in pinned.notes)
