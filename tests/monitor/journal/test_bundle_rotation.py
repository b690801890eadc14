"""A lot bundle exported after a key rotation carries the rotation statement it rests on.

The journal is signed by key A, the key file is rotated to B (``lactamon keygen --rotate``),
the daemon's next session journals the statement and signs with B, and the lot is exported
under a header B signs. An inspector who was given A long ago verifies the bundle with A:
the device records around the statement make B trusted, as ``verify --journal`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli.main import main
from monitor.journal import (
    DEVICE_STREAM,
    FindingKind,
    Journal,
    JournalOptions,
    LotBook,
    export_lot_bundle,
    generate_key_file,
    load_key_file,
    public_key_b64,
    verify_bundle,
    verify_journal,
)
from monitor.journal.bundle import read_bundle
from monitor.journal.key_rotation import KEY_ROTATED
from monitor.journal.keys import DeviceKey
from monitor.journal.rotation_file import journal_rotations, rotate_key_file
from tests.monitor.journal.samples import T0, StepClock, alice, device_key

LOT = "L2026-001"
OPTIONS = JournalOptions(checkpoint_every_records=3)
UNRELATED = device_key(9)


def rotated(tmp_path: Path) -> tuple[Path, DeviceKey, DeviceKey]:
    """The journal (A, then B after the rotation) and keys A and B."""
    key_file, journal = tmp_path / "device.key", tmp_path / "journal.sqlite"
    old = generate_key_file(key_file)
    with Journal(journal, old, StepClock(), OPTIONS) as writer:
        book = LotBook(writer)
        book.create(LOT, ["D1", "D2"], alice("created"))
        book.record_bacteriology(LOT, "before", 1200, 0, alice("recorded"), "LAB-17")
        for n in range(5):
            writer.append_event(DEVICE_STREAM, "settings_applied", {"n": n})
    rotate_key_file(key_file, T0 + 10**12)
    new = load_key_file(key_file)
    with Journal(journal, new, StepClock(now=T0 + 2 * 10**12), OPTIONS) as writer:
        assert journal_rotations(writer, key_file)
        for n in range(7):
            writer.append_event(DEVICE_STREAM, "settings_applied", {"n": 10 + n})
        LotBook(writer).start_stay(LOT, "F1", T0 + 2 * 10**12, alice("stored"))
    return journal, old, new


def exported(tmp_path: Path) -> tuple[Path, Path, DeviceKey, DeviceKey]:
    journal, old, new = rotated(tmp_path)
    bundle = tmp_path / "lot.jsonl"
    export_lot_bundle(journal, LOT, bundle, key=new)
    return journal, bundle, old, new


def key_file_of(tmp_path: Path, key: DeviceKey) -> Path:
    path = tmp_path / f"{key.key_id}.pub"
    path.write_text(public_key_b64(key.public) + "\n")
    return path


def test_the_old_key_establishes_the_new_one_through_the_bundle(tmp_path: Path) -> None:
    journal, bundle, old, new = exported(tmp_path)
    header, entries = read_bundle(bundle)
    assert header.key_id == new.key_id
    assert any(getattr(e, "kind", "") == KEY_ROTATED for e in entries)
    report = verify_bundle(bundle, old.public)
    assert report.ok, report.format()
    assert report.signer_established
    assert set(report.key_ids) == {old.key_id, new.key_id}
    assert any(f"key {new.key_id} is trusted: trusted key {old.key_id} introduced it" in note
               for note in report.notes), report.notes  # fmt: skip
    assert verify_journal(journal, old.public).ok  # what the journal itself says


def test_verify_bundle_with_the_old_public_key_exits_as_verify_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal, bundle, old, _ = exported(tmp_path)
    old_pub, unrelated_pub = key_file_of(tmp_path, old), key_file_of(tmp_path, UNRELATED)
    assert main(["verify", "--bundle", str(bundle), "--public-key", str(old_pub)]) == 0
    assert "OK" in capsys.readouterr().out
    # An unrelated key establishes nothing: the bundle fails as the journal does.
    assert main(["verify", "--journal", str(journal), "--public-key", str(unrelated_pub)]) == 1
    capsys.readouterr()
    assert main(["verify", "--bundle", str(bundle), "--public-key", str(unrelated_pub)]) == 1
    out = capsys.readouterr().out
    assert "wrong_key" in out
    assert f"signed by key {old.key_id}, which is not trusted" in out
    # No key at all: intact, signer not established (exit 3).
    assert main(["verify", "--bundle", str(bundle)]) == 3


def test_a_bundle_without_a_rotation_carries_no_device_record(tmp_path: Path) -> None:
    key = generate_key_file(tmp_path / "device.key")
    with Journal(tmp_path / "j.sqlite", key, StepClock(), OPTIONS) as writer:
        LotBook(writer).create(LOT, ["D1"], alice("created"))
    bundle = tmp_path / "lot.jsonl"
    export_lot_bundle(tmp_path / "j.sqlite", LOT, bundle, key=key)
    header, entries = read_bundle(bundle)
    assert DEVICE_STREAM not in header.heads
    assert all(e.stream != DEVICE_STREAM for e in entries)
    assert verify_bundle(bundle, key.public).ok


def _edit_rotation(bundle: Path, edit: str, other: DeviceKey) -> None:
    lines = bundle.read_text().split("\n")
    for n, line in enumerate(lines):
        if f'"kind":"{KEY_ROTATED}"' not in line:
            continue
        data = json.loads(line)
        fields = data["fields"]
        if edit == "new key":  # someone hands the journal over to a key of their own
            fields["new_key_id"][1] = other.key_id
            fields["new_public_key"][1] = public_key_b64(other.public)
        elif edit == "time":
            fields["rotated_ns"][1] = str(int(fields["rotated_ns"][1]) + 1)
        elif edit == "removed":
            lines[n] = ""
            break
        lines[n] = json.dumps(data, separators=(",", ":"))
    bundle.write_text("\n".join(lines))


@pytest.mark.parametrize("edit", ["new key", "time", "removed"])
def test_an_altered_rotation_record_is_an_error(tmp_path: Path, edit: str) -> None:
    _, bundle, old, new = exported(tmp_path)
    _edit_rotation(bundle, edit, UNRELATED)
    report = verify_bundle(bundle, old.public)
    assert not report.ok, report.format()
    kinds = {f.kind for f in report.findings if f.stream == DEVICE_STREAM}
    assert kinds & {FindingKind.ALTERED, FindingKind.MISSING}, report.format()
    if edit != "time":  # the statement no longer holds: B is not trusted through it
        assert new.key_id not in report.key_ids
        assert UNRELATED.key_id not in report.key_ids
