"""``lactamon keygen --rotate``: a new device key, the old one kept, a statement it signed."""

from pathlib import Path

import pytest

from monitor.cli.main import main
from monitor.journal import Journal, LotBook, load_key_file
from monitor.journal.rotation_file import journal_rotations, read_rotations
from monitor.journal.trust import Trust
from tests.monitor.journal.samples import alice
from tests.monitor.journal.test_rotation_trust import verify


def printed(out: str, label: str) -> str:
    return next(line.split(":", 1)[1].split()[0] for line in out.splitlines()
                if line.startswith(f"{label}:"))  # fmt: skip


def test_rotate_makes_a_new_key_and_a_statement_the_old_key_signed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "keys" / "device.key"
    assert main(["keygen", "--key", str(key)]) == 0
    old = load_key_file(key)
    journal_path = tmp_path / "journal.sqlite"
    with Journal(journal_path, old) as journal:
        LotBook(journal).create("L2026-001", ["D1"], alice("created"))
    capsys.readouterr()

    assert main(["keygen", "--rotate", "--key", str(key)]) == 0
    out = capsys.readouterr().out
    new = load_key_file(key)
    assert printed(out, "key id") == new.key_id != old.key_id
    assert printed(out, "old key id") == old.key_id
    assert str(key.with_name(f"device.key.retired-{old.key_id}")) in out
    assert str(key.with_name("device.key.rotation")) in out
    assert "Restart the daemon" in out
    assert [s.new_key_id for s in read_rotations(key)] == [new.key_id]

    with Journal(journal_path, new) as journal:  # what the daemon does at its start
        assert len(journal_rotations(journal, key)) == 1
        LotBook(journal).create("L2026-002", ["D2"], alice("created"))
    report = verify(journal_path, Trust(keys=(old.public,)))
    assert report.ok, report.format()
    assert new.key_id in report.key_ids


def test_rotate_needs_a_key_to_rotate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen", "--rotate", "--key", str(tmp_path / "device.key")]) == 1
    assert "no key file" in capsys.readouterr().err
    assert not (tmp_path / "device.key").exists()
