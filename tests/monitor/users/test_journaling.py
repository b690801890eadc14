"""Every change to the users reaches the signed journal, in order, once, whenever it was made."""

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from monitor.journal import (
    Journal,
    JournalError,
    JournalFullError,
    JournalReader,
    Record,
    verify_journal,
)
from monitor.journal.streams import USERS_STREAM, StreamKind, parse_stream
from monitor.signature import Signature
from monitor.users import Role, UserStore, journaling
from monitor.users.audit import Change
from monitor.users.journaling import UserChangeJournal
from tests.monitor.journal.samples import StepClock, device_key

PW = "correct horse battery"
KEY = device_key()
SOPHIE = Signature("sophie", "Dr Sophie Bernard", "authorised", "night shift")


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    s = UserStore(
        tmp_path / "users.sqlite", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    s.add(100, "sophie", "Dr Sophie Bernard", Role.SUPERVISOR, PW, by="sophie")
    s.add(200, "anne", "Anne Martin", Role.TECHNICIAN, PW, by=SOPHIE)
    return s


def users_records(path: Path) -> list[Record]:
    with JournalReader(path) as reader:
        return [r for r in reader.stream_records(USERS_STREAM) if r.kind != "checkpoint"]


def test_the_users_stream_is_named_in_streams() -> None:
    assert USERS_STREAM == "users"
    assert parse_stream("users").kind is StreamKind.USERS


def test_each_change_is_a_signed_record_of_the_users_stream(
    store: UserStore, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    store.set_role(300, "anne", Role.SUPERVISOR, by=SOPHIE)
    store.set_password(400, "anne", "another long password", by=SOPHIE)
    store.disable(500, "anne", by=SOPHIE)
    store.authenticate(600, "sophie", PW)  # changes nobody: not journaled
    with Journal(path, KEY, StepClock()) as journal:
        assert UserChangeJournal(store, journal).catch_up() == 5
    added_self, added, role, password, disabled = users_records(path)
    assert [r.kind for r in users_records(path)] == [
        "user_added", "user_added", "user_role_changed", "user_password_changed",
        "user_disabled",
    ]  # fmt: skip
    assert added_self.fields["user"] == "sophie"
    assert added.fields == {
        "audit_id": 2,
        "changed_ns": 200,
        "account": "anne",
        "account_name": "Anne Martin",
        "role": "technician",
        "disabled": False,
        **SOPHIE.fields(),
    }
    assert added.ts > added.fields["changed_ns"]  # journaled after it was made
    assert (role.fields["role"], role.fields["previous_role"]) == ("supervisor", "technician")
    assert password.fields["password"] == "changed"
    assert disabled.fields["disabled"] is True
    for record in users_records(path):
        assert not any("argon2" in str(v) for v in record.fields.values())  # never the hash
    report = verify_journal(path, KEY.public)
    assert report.ok, report.format()
    assert any(s.stream == USERS_STREAM and s.signed_up_to == 6 for s in report.streams)


def test_changes_made_while_the_daemon_was_stopped_reach_the_chain_once(
    store: UserStore, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path, KEY, StepClock()) as journal:
        copier = UserChangeJournal(store, journal)
        assert copier.catch_up() == 2
        assert copier.catch_up() == 0
        store.disable(300, "anne", by=SOPHIE)  # while it runs
        assert copier.catch_up() == 1
    store.set_password(400, "sophie", "a new long password", by=SOPHIE)  # while it is stopped
    with Journal(path, KEY, StepClock()) as journal:
        copier = UserChangeJournal(store, journal)
        assert copier.last_id == 3  # from the journal itself: nothing is copied twice
        assert copier.catch_up() == 1
    assert [r.fields["audit_id"] for r in users_records(path)] == [1, 2, 3, 4]


def test_changes_wait_in_the_audit_while_the_journal_cannot_commit(
    store: UserStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Journal(tmp_path / "journal.sqlite", KEY, StepClock()) as journal:
        copier = UserChangeJournal(store, journal)
        failing = property(lambda _: JournalFullError("disk full"))
        monkeypatch.setattr(Journal, "last_error", failing)
        assert copier.catch_up() == 0
        monkeypatch.undo()
        assert copier.catch_up() == 2


def test_many_changes_are_copied_in_batches(store: UserStore, tmp_path: Path) -> None:
    for n in range(7):
        store.set_password(300 + n, "anne", f"password number {n}", by=SOPHIE)
    with Journal(tmp_path / "journal.sqlite", KEY, StepClock()) as journal:
        assert UserChangeJournal(store, journal, batch=3).catch_up() == 9
    ids = [r.fields["audit_id"] for r in users_records(tmp_path / "journal.sqlite")]
    assert ids == list(range(1, 10))


async def test_the_running_component_follows_the_audit(store: UserStore, tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite", KEY, StepClock()) as journal:
        copier = UserChangeJournal(store, journal, poll_s=0.01)
        task = asyncio.create_task(copier.run())
        await asyncio.sleep(0.05)
        store.disable(300, "anne", by=SOPHIE)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert copier.last_id == 3


def test_text_an_older_audit_row_holds_cannot_stop_the_copy(
    store: UserStore, tmp_path: Path
) -> None:
    store._db.execute(
        "INSERT INTO audit (ts, username, action, by_user, detail, by_printed_name, meaning, "
        "comment) VALUES (300, 'anne', 'disabled', 'sophie', '', ?, 'authorised', '')",
        ("Dr\0Bernard",),
    )
    with Journal(tmp_path / "journal.sqlite", KEY, StepClock()) as journal:
        assert UserChangeJournal(store, journal).catch_up() == 3
    last = users_records(tmp_path / "journal.sqlite")[-1]
    assert last.fields["printed_name"] == "Dr\\x00Bernard"


async def test_a_busy_user_database_is_tried_again(
    store: UserStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = store.changes_after

    def busy_once(after: int, limit: int = 100) -> list[Change]:
        calls.append(after)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(after, limit)

    monkeypatch.setattr(store, "changes_after", busy_once)
    with Journal(tmp_path / "journal.sqlite", KEY, StepClock()) as journal:
        copier = UserChangeJournal(store, journal, poll_s=0.01)
        task = asyncio.create_task(copier.run())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert copier.last_id == 2


def test_the_audit_is_read_again_only_once_the_database_file_changed(
    store: UserStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Journal(tmp_path / "journal.sqlite", KEY, StepClock()) as journal:
        copier = UserChangeJournal(store, journal)
        # A file written long ago: its stamp alone then tells whether it changed.
        os.utime(store.path, ns=(10**18, 10**18))
        monkeypatch.setattr(journaling, "RECENT_S", 0.0)
        copier.look()
        copier.look()
        assert copier.reads == 1
        store.disable(300, "anne", by=SOPHIE)
        copier.look()
        assert (copier.reads, copier.last_id) == (2, 3)

        # Written just now: a second change in the stamp's tick would leave it unchanged.
        monkeypatch.setattr(journaling, "RECENT_S", 1e12)
        store.disable(400, "sophie", by=SOPHIE)
        copier.look()
        copier.look()
        assert (copier.reads, copier.last_id) == (4, 4)


def test_a_look_while_the_journal_cannot_commit_is_made_again(
    store: UserStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Journal(tmp_path / "journal.sqlite", KEY, StepClock()) as journal:
        copier = UserChangeJournal(store, journal)
        os.utime(store.path, ns=(10**18, 10**18))
        monkeypatch.setattr(journaling, "RECENT_S", 0.0)
        monkeypatch.setattr(Journal, "last_error", JournalError("disk full"))
        copier.look()
        assert copier.last_id == 0
        monkeypatch.undo()
        copier.look()
        assert copier.last_id == 2
