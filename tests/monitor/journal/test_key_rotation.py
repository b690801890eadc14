"""The rotation statement: a new device key, introduced by a signature of the old one."""

import base64
import json
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.journal import DEVICE_STREAM, Journal, JournalReader, KeyFileError, load_key_file
from monitor.journal.key_rotation import (
    KEY_ROTATED,
    RotationError,
    RotationStatement,
    journal_rotation,
    sign_rotation,
)
from monitor.journal.keys import generate_key_file, public_key_b64
from monitor.journal.rotation_file import (
    journal_rotations,
    read_rotations,
    retired_key_path,
    rotate_key_file,
    rotation_path,
)
from tests.monitor.journal.samples import T0, StepClock, device_key

A, B, C = device_key(1), device_key(2), device_key(3)


def test_the_statement_is_signed_by_the_old_key_over_a_documented_text() -> None:
    statement = sign_rotation(A, B.public, T0)
    assert (statement.old_key_id, statement.new_key_id) == (A.key_id, B.key_id)
    assert statement.new_public_key == public_key_b64(B.public)
    a64, b64 = public_key_b64(A.public), public_key_b64(B.public)
    assert statement.signed_bytes() == (
        b"lactamon key rotation 1\n"
        + f"s16:{A.key_id}s44:{a64}s16:{B.key_id}s44:{b64}i19:{T0}".encode()
    )
    signature = base64.b64decode(statement.signature)
    A.public.verify(signature, statement.signed_bytes())  # raises if it does not verify
    assert statement.problem() is None
    assert statement.problem(A.public) is None
    assert statement.problem(C.public) == f"its signature does not verify with key {C.key_id}"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"new_public_key": public_key_b64(C.public)}, "the new key id does not match"),
        ({"old_key_id": C.key_id}, "the old key id does not match"),
        ({"rotated_ns": T0 + 1}, "does not verify"),
        ({"new_public_key": "not a key"}, "new public key: public key: neither PEM nor valid"),
        ({"signature": "%%%"}, "does not verify"),
    ],
)
def test_a_changed_statement_is_refused(change: dict[str, object], problem: str) -> None:
    statement = replace(sign_rotation(A, B.public, T0), **change)  # type: ignore[arg-type]
    assert problem in str(statement.problem())


def test_the_statement_reads_back_from_its_json_line_and_its_record_fields() -> None:
    statement = sign_rotation(A, B.public, T0)
    line = statement.to_json()
    assert json.loads(line)["format"] == "lactamon-key-rotation"
    assert json.loads(line)["rotated_ns"] == str(T0)  # beyond 2^53: a decimal string
    assert RotationStatement.from_json(line) == statement
    assert set(statement.fields()) == {
        "old_key_id", "old_public_key", "new_key_id", "new_public_key", "rotated_ns",
        "rotation_signature",
    }  # fmt: skip
    assert RotationStatement.from_fields(statement.fields()) == statement
    with pytest.raises(RotationError, match="lacks a valid new_key_id"):
        RotationStatement.from_fields({**statement.fields(), "new_key_id": 7})
    with pytest.raises(RotationError, match="not a rotation statement"):
        RotationStatement.from_json('{"format": "lactamon-bundle"}')
    with pytest.raises(RotationError, match="not JSON"):
        RotationStatement.from_json("{")


def test_rotating_keeps_the_old_key_and_writes_the_statement_beside_the_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "device.key"
    old = generate_key_file(path)
    rotation = rotate_key_file(path, T0)
    new = load_key_file(path)
    assert new.key_id == rotation.key.key_id != old.key_id
    assert path.stat().st_mode & 0o777 == 0o600
    assert rotation.retired == retired_key_path(path, old.key_id)
    assert rotation.retired.name == f"device.key.retired-{old.key_id}"
    assert load_key_file(rotation.retired).key_id == old.key_id
    assert rotation.statement_file == rotation_path(path) == tmp_path / "device.key.rotation"
    (statement,) = read_rotations(path)
    assert statement == rotation.statement
    assert (statement.old_key_id, statement.new_key_id) == (old.key_id, new.key_id)
    assert statement.problem(old.public) is None

    again = rotate_key_file(path, T0 + 1)  # a second rotation before the daemon ran
    assert [s.new_key_id for s in read_rotations(path)] == [new.key_id, again.key.key_id]
    assert load_key_file(retired_key_path(path, new.key_id)).key_id == new.key_id


def test_a_rotation_needs_the_old_key_and_an_interrupted_one_is_named(tmp_path: Path) -> None:
    path = tmp_path / "device.key"
    with pytest.raises(KeyFileError, match="no key file"):
        rotate_key_file(path, T0)
    old = generate_key_file(path)
    generate_key_file(tmp_path / "device.key.new")
    with pytest.raises(RotationError, match="a rotation was interrupted"):
        rotate_key_file(path, T0)
    assert not rotation_path(path).exists()
    (tmp_path / "device.key.new").unlink()
    retired_key_path(path, old.key_id).write_text("kept")
    with pytest.raises(RotationError, match=f"key {old.key_id} was rotated out already"):
        rotate_key_file(path, T0)
    assert load_key_file(path).key_id == old.key_id
    assert not (tmp_path / "device.key.new").exists()


def test_the_statement_is_journaled_once_in_the_device_stream(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite"
    statement = sign_rotation(A, B.public, T0)
    with Journal(journal_path, B, StepClock()) as journal:
        record = journal_rotation(journal, statement)
        assert record is not None
        assert (record.stream, record.kind) == (DEVICE_STREAM, KEY_ROTATED)
        assert journal_rotation(journal, statement) is None  # already on record
    with Journal(journal_path, B, StepClock()) as journal:
        assert journal_rotation(journal, statement) is None  # after a restart too
        forged = replace(statement, new_key_id=C.key_id)
        with pytest.raises(RotationError, match="the new key id does not match"):
            journal_rotation(journal, forged)
    with JournalReader(journal_path) as reader:
        records = reader.records_of_kind(KEY_ROTATED, DEVICE_STREAM)
    assert [RotationStatement.from_fields(r.fields) for r in records] == [statement]


def test_the_daemon_journals_what_the_statement_file_holds(tmp_path: Path) -> None:
    path = tmp_path / "device.key"
    journal_path = tmp_path / "journal.sqlite"
    with Journal(journal_path, generate_key_file(path), StepClock()):
        pass
    first, second = rotate_key_file(path, T0), rotate_key_file(path, T0 + 1)
    with Journal(journal_path, load_key_file(path), StepClock()) as journal:
        records = journal_rotations(journal, path)
        assert [r.fields["new_key_id"] for r in records] == [
            first.key.key_id,
            second.key.key_id,
        ]
        assert journal_rotations(journal, path) == []
    with Journal(journal_path, load_key_file(path), StepClock()) as journal:
        assert journal_rotations(journal, tmp_path / "absent.key") == []
    rotation_path(path).write_text("{\n")
    with (
        Journal(journal_path, load_key_file(path), StepClock()) as journal,
        pytest.raises(RotationError, match="line 1"),
    ):
        journal_rotations(journal, path)
