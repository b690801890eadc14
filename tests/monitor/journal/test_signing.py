from dataclasses import replace

from monitor.journal import FindingKind, Record
from monitor.journal.signing import check_signed_record, signed_fields
from tests.monitor.journal.samples import device_key

KEY = device_key()
KEYS = {KEY.key_id: KEY.public}
HEAD = bytes(range(32))


def checkpoint(**changes: object) -> Record:
    fields = signed_fields(KEY, "device", 8, 99, "checkpoint", HEAD, {})
    return replace(Record("device", 8, 99, "checkpoint", fields, b""), **changes)  # type: ignore[arg-type]


def kinds(record: Record, heads: set[bytes] | None = None) -> list[FindingKind]:
    return [p.kind for p in check_signed_record(record, KEYS, heads)]


def test_a_checkpoint_signs_its_head_and_itself() -> None:
    record = checkpoint()
    assert record.fields["head_seq"] == 7
    assert record.fields["head_hash"] == HEAD.hex()
    assert kinds(record, {HEAD}) == []
    assert kinds(replace(record, ts=100)) == [FindingKind.BAD_SIGNATURE]
    assert kinds(replace(record, kind="seal")) == [FindingKind.BAD_SIGNATURE]


def test_a_checkpoint_that_does_not_fit_its_chain_is_named() -> None:
    record = checkpoint()
    assert kinds(record, {bytes(32)}) == [FindingKind.BAD_CHECKPOINT]
    assert kinds(replace(record, seq=9)) == [FindingKind.BAD_CHECKPOINT, FindingKind.BAD_SIGNATURE]


def test_missing_or_foreign_signatures_are_named() -> None:
    fields = dict(checkpoint().fields)
    del fields["signature"]
    assert kinds(checkpoint(fields=fields)) == [FindingKind.BAD_CHECKPOINT]
    other = device_key(3)
    foreign = signed_fields(other, "device", 8, 99, "checkpoint", HEAD, {})
    assert kinds(checkpoint(fields=foreign)) == [FindingKind.WRONG_KEY]
    garbled = {**checkpoint().fields, "signature": "not base64!"}
    assert kinds(checkpoint(fields=garbled)) == [FindingKind.BAD_SIGNATURE]
