import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.journal import FindingKind, Record, verify_records
from monitor.journal.canonical import chain_hash, record_canonical
from monitor.journal.signing import SIGNED_KINDS, signed_fields
from tests.monitor.journal.samples import CYCLE, all_records, build_journal, device_key
from tests.monitor.journal.tamper import (
    Tampered,
    alterations,
    assert_located,
    deletions,
    insertions,
    swaps,
)

KEY = device_key()


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    path = tmp_path_factory.mktemp("verify") / "journal.sqlite"
    build_journal(path, KEY)
    return all_records(path)


def test_untouched_records_verify(records: list[Record]) -> None:
    report = verify_records(records, KEY.public)
    assert report.ok, report.format()
    assert not report.findings
    assert {s.stream: s.sealed for s in report.streams}[CYCLE] is True
    assert sum(s.records for s in report.streams) == len(records)


def test_records_in_any_order_verify_when_order_is_not_promised(records: list[Record]) -> None:
    shuffled = list(records)
    random.Random(4).shuffle(shuffled)
    assert verify_records(shuffled, KEY.public, ordered=False).ok
    report = verify_records(shuffled, KEY.public, ordered=True)
    assert {f.kind for f in report.findings} == {FindingKind.REORDERED}


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_single_alteration_is_located(records: list[Record], data: st.DataObject) -> None:
    tampered: Tampered = data.draw(alterations(records))
    assert_located(verify_records(tampered.records, KEY.public), tampered)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_deletion_is_located(records: list[Record], data: st.DataObject) -> None:
    tampered: Tampered = data.draw(deletions(records))
    assert_located(verify_records(tampered.records, KEY.public), tampered)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_insertion_is_located(records: list[Record], data: st.DataObject) -> None:
    tampered: Tampered = data.draw(insertions(records))
    assert_located(verify_records(tampered.records, KEY.public), tampered)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_swap_is_located(records: list[Record], data: st.DataObject) -> None:
    tampered: Tampered = data.draw(swaps(records))
    assert_located(verify_records(tampered.records, KEY.public), tampered)


def test_swapped_file_positions_are_reported_as_reordered(records: list[Record]) -> None:
    swapped = [*records[:3], records[4], records[3], *records[5:]]
    report = verify_records(swapped, KEY.public)
    assert [(f.kind, f.seq) for f in report.errors] == [(FindingKind.REORDERED, records[3].seq)]


def _resign(records: list[Record], key_seed: int, claimed_key_id: str | None) -> list[Record]:
    """Rewrite every chain with new hashes and re-sign every checkpoint with another key."""
    other = device_key(key_seed)
    out: list[Record] = []
    heads: dict[str, bytes] = {}
    for record in records:
        prev = heads.get(record.stream, record.prev_hash or b"")
        fields = dict(record.fields)
        if record.kind in SIGNED_KINDS:
            extra = {k: v for k, v in fields.items() if k == "reason"}
            fields = signed_fields(
                other, record.stream, record.seq, record.ts, record.kind, prev, extra
            )
            if claimed_key_id is not None:
                fields["key_id"] = claimed_key_id
        changed = replace(record, fields=fields, prev_hash=prev)
        changed = replace(changed, hash=chain_hash(prev, record_canonical(changed)))
        heads[record.stream] = changed.hash
        out.append(changed)
    return out


def test_a_chain_resigned_with_another_key_names_the_key(records: list[Record]) -> None:
    forged = _resign([replace(r, ts=r.ts + 1) for r in records], 9, None)
    report = verify_records(forged, KEY.public)
    kinds = {f.kind for f in report.errors}
    assert kinds == {FindingKind.WRONG_KEY}
    signed = [r for r in records if r.kind in SIGNED_KINDS]
    assert len(report.errors) == len(signed)


def test_a_chain_resigned_under_the_device_key_id_fails_its_signatures(
    records: list[Record],
) -> None:
    forged = _resign(records, 9, KEY.key_id)
    report = verify_records(forged, KEY.public)
    assert {f.kind for f in report.errors} == {FindingKind.BAD_SIGNATURE}


def test_a_record_after_the_seal_is_an_error(records: list[Record]) -> None:
    cycle = [r for r in records if r.stream == CYCLE]
    seal = cycle[-1]
    extra = Record(CYCLE, seal.seq + 1, seal.ts + 1, "reading", {"value": 1.0}, b"", seal.hash)
    extra = replace(extra, hash=chain_hash(seal.hash, record_canonical(extra)))
    report = verify_records([*records, extra], KEY.public)
    assert [(f.kind, f.seq) for f in report.errors] == [(FindingKind.AFTER_SEAL, seal.seq + 1)]


def test_a_tail_without_signature_is_a_warning(records: list[Record]) -> None:
    cycle = [r for r in records if r.stream == CYCLE]
    first_checkpoint = next(r.seq for r in cycle if r.kind in SIGNED_KINDS)
    report = verify_records(cycle[: first_checkpoint + 2], KEY.public)
    assert report.ok
    [tail] = report.findings
    assert tail.kind is FindingKind.UNSIGNED_TAIL
    assert (tail.seq, tail.seq_end) == (first_checkpoint + 1, first_checkpoint + 2)


def test_a_gap_in_a_source_without_prev_hash_is_unverifiable_after_it(
    records: list[Record],
) -> None:
    cycle = [replace(r, prev_hash=None) for r in records if r.stream == CYCLE]
    report = verify_records([*cycle[:4], *cycle[5:]], KEY.public)
    assert [(f.kind, f.seq) for f in report.findings] == [
        (FindingKind.MISSING, 5),
        (FindingKind.UNVERIFIABLE, 6),
    ]


def test_report_text_names_each_finding(records: list[Record], tmp_path: Path) -> None:
    report = verify_records(records[1:], KEY.public, source="sample")
    text = report.format()
    assert "FAILED" in text
    assert "missing" in text
    assert records[0].stream in text
