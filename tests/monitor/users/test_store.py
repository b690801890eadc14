import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from monitor.users import AuthError, Permission, Role, UserError, UserStore, allowed
from monitor.users.store import throttle_wait_s

S = 1_000_000_000
PW = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    # Cheap argon2id parameters: the tests check behaviour, not hashing cost.
    s = UserStore(
        tmp_path / "users.sqlite", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    s.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="admin")
    s.add(0, "ines", "Inès Roux", Role.INSPECTOR, PW, by="admin")
    return s


def test_password_is_stored_as_argon2id(store: UserStore, tmp_path: Path) -> None:
    (stored,) = (
        sqlite3.connect(tmp_path / "users.sqlite")
        .execute("SELECT password_hash FROM users WHERE username = 'anne'")
        .fetchone()
    )
    assert stored.startswith("$argon2id$")
    assert PW not in stored
    assert oct((tmp_path / "users.sqlite").stat().st_mode & 0o777) == "0o600"


def test_authenticate_and_roles(store: UserStore) -> None:
    assert store.authenticate(1, "anne", PW).printed_name == "Anne Martin"
    store.authorise(1, "anne", PW, Permission.ACKNOWLEDGE)
    with pytest.raises(AuthError, match="inspector ines may not acknowledge"):
        store.authorise(1, "ines", PW, Permission.ACKNOWLEDGE)
    assert allowed(Role.SUPERVISOR, Permission.RELEASE_LOT)
    assert not allowed(Role.TECHNICIAN, Permission.RELEASE_LOT)


def test_wrong_password_is_throttled_and_recorded(store: UserStore) -> None:
    for i in range(3):
        with pytest.raises(AuthError, match="wrong user name or password"):
            store.authenticate(i * S, "anne", "not the password")
    with pytest.raises(AuthError, match="too many failed attempts for anne"):
        store.authenticate(int(2.5 * S), "anne", PW)  # even the right password must wait
    assert store.authenticate(4 * S, "anne", PW).username == "anne"
    actions = [a[2] for a in store.audit("anne")]
    assert actions.count("sign_in_failed") == 3
    assert "sign_in_throttled" in actions


def test_throttle_survives_reopen(store: UserStore, tmp_path: Path) -> None:
    for i in range(5):
        with pytest.raises(AuthError, match="wrong user name"):
            store.authenticate(i * 10 * S, "anne", "nope")
    store.close()
    again = UserStore(tmp_path / "users.sqlite")
    with pytest.raises(AuthError, match="too many failed attempts"):
        again.authenticate(41 * S, "anne", PW)  # 5 failures: wait 4 s after the last


def test_disabled_user_cannot_sign_in(store: UserStore) -> None:
    store.disable(1, "anne", by="sup")
    with pytest.raises(AuthError, match="user anne is disabled"):
        store.authenticate(2, "anne", PW)


@pytest.mark.parametrize(
    ("name", "printed", "password", "message"),
    [
        ("Anne Bad", "A", PW, "user name 'Anne Bad'"),
        ("bob", " ", PW, "printed name is required"),
        ("bob", "Bob", "short", "password too short"),
        ("anne", "Anne", PW, "already exists"),
    ],
)
def test_bad_user_input(
    store: UserStore, name: str, printed: str, password: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        store.add(0, name, printed, Role.TECHNICIAN, password, by="admin")


def test_unknown_user_and_foreign_file(store: UserStore, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown user 'zoe'"):
        store.set_password(0, "zoe", PW, by="admin")
    with pytest.raises(AuthError, match="wrong user name or password"):
        store.authenticate(0, "zoe", PW)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError, match="not a usable user database"):
        UserStore(junk)


def test_audit_is_append_only(store: UserStore, tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "users.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_throttle_curve() -> None:
    assert [throttle_wait_s(n) for n in (0, 2, 3, 4, 5, 20)] == [0, 0, 1, 2, 4, 900]
