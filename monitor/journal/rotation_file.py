"""Rotating the device's key file, and the statement file the daemon journals at its start.

``rotate_key_file`` leaves the key file holding a new key, keeps the old one beside it as
``<key>.retired-<old key id>`` (a hard link, so the key file never goes missing), and appends
the rotation statement (``key_rotation``), one JSON line, to ``<key>.rotation``. A second
rotation before the daemon started appends a second line: each statement is signed by the key
before it, so the chain of keys holds. At its start the daemon journals every statement the
file holds that the journal does not (``journal_rotations``).

Order, so that an interruption leaves nothing unprovable: the new key goes to
``<key>.new``, the old key is linked to its retired name, the statement is written and
synced, and only then does the new key replace the old one under the key file's name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.journal.key_rotation import (
    RotationError,
    RotationStatement,
    journal_rotation,
    sign_rotation,
)
from monitor.journal.keys import DeviceKey, generate_key_file, load_key_file
from monitor.journal.record import Record

if TYPE_CHECKING:
    from monitor.journal.writer import Journal


@dataclass(frozen=True, slots=True)
class Rotation:
    """A rotation done: the new key, where the old one went, the statement and its file."""

    key: DeviceKey
    retired: Path
    statement: RotationStatement
    statement_file: Path

    def describe(self, key_path: Path) -> str:
        """What was done and what to do next, for people."""
        return "\n".join(
            [
                f"key file:    {key_path} (a new key)",
                f"public key:  {self.statement.new_public_key}",
                f"key id:      {self.key.key_id}",
                f"old key id:  {self.statement.old_key_id} (kept as {self.retired})",
                f"statement:   {self.statement_file}",
                "Restart the daemon: it journals the statement, signed by the old key, and "
                "signs with the new key from then on. Publish the new public key and key id; "
                "a verifier that trusts the old key accepts the new one through the statement.",
            ]
        )


def rotation_path(key_path: Path) -> Path:
    """``<key>.rotation``: the statements the daemon journals at its next start."""
    return key_path.with_name(key_path.name + ".rotation")


def retired_key_path(key_path: Path, key_id: str) -> Path:
    """``<key>.retired-<key id>``: a key that was rotated out, kept."""
    return key_path.with_name(f"{key_path.name}.retired-{key_id}")


def rotate_key_file(path: Path, now_ns: int) -> Rotation:
    """Replace the key in ``path`` by a new one, keeping the old, and write the statement."""
    path = Path(path)
    old = load_key_file(path)
    fresh = path.with_name(path.name + ".new")
    retired = retired_key_path(path, old.key_id)
    statements = rotation_path(path)
    if fresh.exists():
        raise RotationError(
            f"{fresh} exists: a rotation was interrupted. If {statements} ends with a "
            f"statement naming the key in {fresh}, finish it with 'mv {fresh} {path}'; "
            f"otherwise remove {fresh} and {retired}, then rotate again"
        )
    if retired.exists():
        raise RotationError(f"{retired} exists: key {old.key_id} was rotated out already")
    new = generate_key_file(fresh)
    try:
        os.link(path, retired)
    except OSError as exc:
        fresh.unlink(missing_ok=True)
        raise RotationError(f"{retired}: cannot keep the old key ({exc.strerror})") from None
    statement = sign_rotation(old, new.public, now_ns)
    try:
        _append_line(statements, statement.to_json())
    except OSError as exc:
        fresh.unlink(missing_ok=True)
        retired.unlink(missing_ok=True)
        raise RotationError(f"{statements}: cannot write the statement ({exc.strerror})") from None
    os.replace(fresh, path)
    _sync_folder(path.parent)
    return Rotation(new, retired, statement, statements)


def read_rotations(key_path: Path) -> list[RotationStatement]:
    """The statements of ``<key>.rotation`` in the order written; none without the file."""
    path = rotation_path(Path(key_path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise RotationError(f"{path}: cannot read the rotation statements ({exc})") from None
    statements = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            statements.append(RotationStatement.from_json(line))
        except RotationError as exc:
            raise RotationError(f"{path}, line {n}: {exc}") from None
    return statements


def journal_rotations(journal: Journal, key_path: Path) -> list[Record]:
    """Journal each statement of ``<key>.rotation`` the journal does not hold yet, in order;
    the records appended. Call it once the journal is open, before anything else is journaled.
    """
    records = []
    for statement in read_rotations(key_path):
        record = journal_rotation(journal, statement)
        if record is not None:
            records.append(record)
    return records


def _append_line(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
