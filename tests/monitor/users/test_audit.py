"""The audit keeps every user change with the supervisor's signature, atomically with it."""

import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from monitor.signature import Signature
from monitor.users import AuthError, Role, UserError, UserStore
from monitor.users.audit import Change

PW = "correct horse battery"
SOPHIE = Signature("sophie", "Dr Sophie Bernard", "authorised", "new night shift")


def cheap_store(path: Path) -> UserStore:
    return UserStore(path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    s = cheap_store(tmp_path / "users.sqlite")
    s.add(1, "sophie", "Dr Sophie Bernard", Role.SUPERVISOR, PW, by="sophie")
    return s


def test_each_change_keeps_who_signed_it_and_what_changed(store: UserStore) -> None:
    store.add(2, "anne", "Anne Martin", Role.TECHNICIAN, PW, by=SOPHIE)
    store.set_role(3, "anne", Role.SUPERVISOR, by=SOPHIE)
    store.set_password(4, "anne", "another long password", by=SOPHIE)
    store.disable(5, "anne", by=SOPHIE)
    store.authenticate(6, "sophie", PW)
    with pytest.raises(AuthError):
        store.authenticate(7, "anne", "wrong password")
    changes = store.changes_after(0)
    assert [(c.audit_id, c.ts, c.action) for c in changes] == [
        (1, 1, "added"),
        (2, 2, "added"),
        (3, 3, "role_changed"),
        (4, 4, "password_changed"),
        (5, 5, "disabled"),
    ]  # sign-ins are in the audit, but they change nobody
    first, added, role, password, disabled = changes
    assert first.by == Signature("sophie", "Dr Sophie Bernard", "authorised", "")
    assert (added.username, added.account_name, added.role, added.by) == (
        "anne", "Anne Martin", "technician", SOPHIE
    )  # fmt: skip
    assert (role.role, role.previous_role) == ("supervisor", "technician")
    assert password.role is None
    assert disabled.role is None
    assert not any(c.backfilled for c in changes)
    assert [c.audit_id for c in store.changes_after(3)] == [4, 5]
    assert [c.audit_id for c in store.changes_after(0, limit=2)] == [1, 2]


def test_a_supervisor_named_by_login_signs_with_the_printed_name_on_record(
    store: UserStore,
) -> None:
    store.add(2, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="sophie")
    assert store.changes_after(1)[0].by == Signature("sophie", "Dr Sophie Bernard", "authorised")


def test_role_changes_are_checked(store: UserStore) -> None:
    store.add(2, "anne", "Anne Martin", Role.TECHNICIAN, PW, by=SOPHIE)
    with pytest.raises(UserError, match="anne is already a technician"):
        store.set_role(3, "anne", Role.TECHNICIAN, by=SOPHIE)
    with pytest.raises(UserError, match="unknown user 'zoe'"):
        store.set_role(3, "zoe", Role.TECHNICIAN, by=SOPHIE)
    with pytest.raises(UserError, match="sophie is the last supervisor"):
        store.set_role(3, "sophie", Role.TECHNICIAN, by=SOPHIE)
    assert store.get("sophie").role is Role.SUPERVISOR
    assert [c.action for c in store.changes_after(0)] == ["added", "added"]


def test_a_change_and_its_audit_row_are_written_together(store: UserStore) -> None:
    with pytest.raises(UserError, match="already exists"):
        store.add(2, "sophie", "Someone Else", Role.TECHNICIAN, PW, by=SOPHIE)
    store._db.execute(  # an audit that refuses rows: the change must not happen either
        "CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    with pytest.raises(sqlite3.DatabaseError, match="full"):
        store.add(3, "anne", "Anne Martin", Role.TECHNICIAN, PW, by=SOPHIE)
    with pytest.raises(UserError, match="unknown user 'anne'"):
        store.get("anne")


def test_rows_written_before_signatures_were_kept_are_backfilled(tmp_path: Path) -> None:
    path = tmp_path / "users.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE users (username TEXT PRIMARY KEY, printed_name TEXT NOT NULL,
            role TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0, last_failure_ns INTEGER);
        CREATE TABLE audit (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
            username TEXT NOT NULL, action TEXT NOT NULL, by_user TEXT NOT NULL,
            detail TEXT NOT NULL);
        CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the user audit is append-only'); END;
        INSERT INTO users VALUES ('sophie', 'Dr Sophie Bernard', 'supervisor', 'x', 0, 0, NULL);
        INSERT INTO users VALUES ('anne', 'Anne Martin', 'technician', 'x', 0, 0, NULL);
        INSERT INTO audit VALUES (1, 10, 'sophie', 'added', 'sophie', 'role supervisor');
        INSERT INTO audit VALUES (2, 20, 'anne', 'added', 'sophie', 'role technician');
        INSERT INTO audit VALUES (3, 30, 'anne', 'disabled', 'gone', '');
        """
    )
    old.close()
    store = cheap_store(path)
    store.set_password(40, "sophie", "a new long password", by=SOPHIE)
    changes = store.changes_after(0)
    assert [c.backfilled for c in changes] == [True, True, True, False]
    assert changes[1] == Change(
        2, 20, "anne", "added", Signature("sophie", "Dr Sophie Bernard", "authorised"),
        role="technician", account_name="Anne Martin", backfilled=True,
    )  # fmt: skip
    assert changes[2].by == Signature("gone", "gone", "authorised")  # nobody by that name now
    assert changes[3].by == SOPHIE
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store._db.execute("DELETE FROM audit")


def test_text_the_journal_could_not_hold_is_refused(store: UserStore) -> None:
    with pytest.raises(UserError, match="printed name: text must not contain NUL"):
        store.add(2, "anne", "Anne\0Martin", Role.TECHNICIAN, PW, by=SOPHIE)
    with pytest.raises(UserError, match="comment: text is not valid Unicode"):
        store.disable(2, "sophie", by=Signature("sophie", "S", "authorised", "\udcff"))
    assert not store.get("sophie").disabled
    assert len(store.changes_after(0)) == 1
