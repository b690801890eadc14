"""Trusted keys grow through rotation statements signed by a trusted key, and only those.

A journal signed by key A, rotated to B, then signed by B: a verifier that trusts A alone
accepts B's signatures once the journal holds the statement A signed; a statement signed by
any other key introduces nothing.
"""

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.journal import (
    DEVICE_STREAM,
    FindingKind,
    Journal,
    JournalOptions,
    JournalReader,
    LotBook,
    Record,
    VerificationReport,
)
from monitor.journal.chain import Item
from monitor.journal.key_rotation import (
    KEY_ROTATED,
    RotationStatement,
    journal_rotation,
    sign_rotation,
)
from monitor.journal.keys import DeviceKey
from monitor.journal.trust import Trust, decide
from monitor.journal.verify import MemorySource, verify_source
from tests.monitor.journal.samples import T0, StepClock, alice, device_key

A, B, C = device_key(1), device_key(2), device_key(3)
OPTIONS = JournalOptions(checkpoint_every_records=3)


def rotated_journal(path: Path, statements: Iterable[RotationStatement], new: DeviceKey) -> Path:
    """Records signed by A, the statements journaled under ``new``, then records it signs."""
    with Journal(path, A, StepClock(), OPTIONS) as journal:
        LotBook(journal).create("L2026-001", ["D1"], alice("created"))
    with Journal(path, new, StepClock(now=T0 + 10**12), OPTIONS) as journal:
        for statement in statements:
            journal_rotation(journal, statement)
        LotBook(journal).create("L2026-002", ["D2"], alice("created"))
    return path


def verify(path: Path, trust: Trust) -> VerificationReport:
    """What ``verify_journal`` does, the journal's rotation records given to ``decide``."""
    with JournalReader(path) as reader, reader.snapshot():
        rotations = reader.records_of_kind(KEY_ROTATED, DEVICE_STREAM)
        decision = decide(trust, reader.device_keys(), "the key(s) the journal stores", rotations)
        rows = [e for name in reader.stream_names() for e in reader.stream_entries(name)]
    source = MemorySource(Item(entry, row, f"row {row}") for row, entry in rows)
    report = verify_source(source, decision.keys.values(), ordered=True, source=str(path))
    decision.apply(report)
    return report


def signed_by(report: VerificationReport, kind: FindingKind) -> set[str]:
    return {f.stream or "" for f in report.findings if f.kind is kind}


def test_the_old_key_alone_accepts_the_key_it_introduced(tmp_path: Path) -> None:
    path = rotated_journal(tmp_path / "j.sqlite", [sign_rotation(A, B.public, T0)], B)
    report = verify(path, Trust(keys=(A.public,)))
    assert report.ok, report.format()
    assert report.signer_established
    assert set(report.key_ids) == {A.key_id, B.key_id}
    assert any(f"key {B.key_id} is trusted" in note for note in report.notes)
    assert not any("not trusted" in note for note in report.notes)
    pinned = verify(path, Trust(key_ids=frozenset({A.key_id})))  # the published key id
    assert pinned.ok, pinned.format()


def test_without_the_statement_the_new_key_is_not_trusted(tmp_path: Path) -> None:
    report = verify(rotated_journal(tmp_path / "j.sqlite", [], B), Trust(keys=(A.public,)))
    assert not report.ok
    assert signed_by(report, FindingKind.WRONG_KEY) >= {DEVICE_STREAM, "lot:L2026-002"}


def test_a_statement_signed_by_an_untrusted_key_introduces_nothing(tmp_path: Path) -> None:
    forged = sign_rotation(C, B.public, T0)  # C is nobody the verifier trusts
    report = verify(rotated_journal(tmp_path / "j.sqlite", [forged], B), Trust(keys=(A.public,)))
    assert not report.ok
    assert B.key_id not in report.key_ids
    assert signed_by(report, FindingKind.WRONG_KEY) >= {DEVICE_STREAM, "lot:L2026-002"}
    assert any(
        f"signed by key {C.key_id}, which is not trusted: key {B.key_id} is not trusted" in note
        for note in report.notes
    ), report.notes


def test_a_statement_naming_the_trusted_key_without_its_signature_is_refused(
    tmp_path: Path,
) -> None:
    by_c = sign_rotation(C, B.public, T0)
    forged = replace(sign_rotation(A, B.public, T0), signature=by_c.signature)
    path = tmp_path / "j.sqlite"
    rotated_journal(path, [], B)
    with Journal(path, B, StepClock(now=T0 + 2 * 10**12), OPTIONS) as journal:
        journal.append_event(DEVICE_STREAM, KEY_ROTATED, forged.fields())  # by hand
    report = verify(path, Trust(keys=(A.public,)))
    assert not report.ok
    assert B.key_id not in report.key_ids
    assert any(f"does not verify with trusted key {A.key_id}" in n for n in report.notes)


def test_trust_follows_a_chain_of_rotations_in_any_order(tmp_path: Path) -> None:
    a_to_b, b_to_c = sign_rotation(A, B.public, T0), sign_rotation(B, C.public, T0 + 1)
    path = rotated_journal(tmp_path / "j.sqlite", [b_to_c, a_to_b], C)
    report = verify(path, Trust(keys=(A.public,)))
    assert report.ok, report.format()
    assert set(report.key_ids) == {A.key_id, B.key_id, C.key_id}
    only_c = verify(path, Trust(keys=(C.public,)))  # a rotation never trusts backwards
    assert not only_c.ok
    assert A.key_id not in only_c.key_ids


@pytest.mark.parametrize("given", [Trust(), Trust(keys=(A.public,))])
def test_a_key_rotated_record_that_is_no_statement_is_noted(given: Trust) -> None:
    broken = Record(DEVICE_STREAM, 7, T0, KEY_ROTATED, {"new_key_id": B.key_id}, b"")
    decision = decide(given, {A.key_id: A.public}, "the journal's keys", [broken])
    assert set(decision.keys) == {A.key_id}
    if given.given:
        assert any("device#7" in note and "lacks a valid" in note for note in decision.notes)
