"""The user database: one SQLite file beside the journal, with its own append-only audit.

Passwords are argon2id hashes. Failed sign-ins are counted per user and throttled (after
three failures each attempt must wait twice as long as the last, up to 15 minutes), the
count surviving restarts so a script cannot reset it by restarting the daemon.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from monitor.users.roles import Permission, Role, allowed

NS = 1_000_000_000
FREE_ATTEMPTS = 3
MAX_WAIT_S = 900
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    printed_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    last_failure_ns INTEGER
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    by_user TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_append_only_u BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the user audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_d BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the user audit is append-only'); END;
"""


class UserError(Exception):
    """A user operation that cannot be done (unknown user, bad name, weak password …)."""


class AuthError(Exception):
    """Authentication refused; the message says why, never the password."""


class NotPermitted(AuthError):
    """The user is who they say, but their role may not do this."""


class Throttled(AuthError):
    """Too many recent failures: the user must wait before trying again."""


@dataclass(frozen=True, slots=True)
class User:
    username: str
    printed_name: str
    role: Role
    disabled: bool


class UserStore:
    """Users, roles and passwords in ``path`` (created on first use, mode 0600)."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self.path = path
        new = not path.exists()
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path}: not a usable user database ({exc})") from None
        if new:
            path.chmod(0o600)
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile

    def close(self) -> None:
        self._db.close()

    def add(self, ts: int, username: str, printed_name: str, role: Role, password: str,
            by: str) -> User:  # fmt: skip
        _check_username(username)
        if not printed_name.strip():
            raise UserError("a printed name is required: it appears on every signature")
        _check_password(password)
        if self._row(username) is not None:
            raise UserError(f"user {username!r} already exists")
        self._db.execute(
            "INSERT INTO users (username, printed_name, role, password_hash) VALUES (?,?,?,?)",
            (username, printed_name.strip(), role.value, self._hasher.hash(password)),
        )
        self._audit(ts, username, "added", by, f"role {role.value}")
        return self.get(username)

    def set_password(self, ts: int, username: str, password: str, by: str) -> None:
        self.get(username)
        _check_password(password)
        self._db.execute(
            "UPDATE users SET password_hash = ?, failures = 0 WHERE username = ?",
            (self._hasher.hash(password), username),
        )
        self._audit(ts, username, "password_changed", by, "")

    def disable(self, ts: int, username: str, by: str) -> None:
        self.get(username)
        self._db.execute("UPDATE users SET disabled = 1 WHERE username = ?", (username,))
        self._audit(ts, username, "disabled", by, "")

    def get(self, username: str) -> User:
        row = self._row(username)
        if row is None:
            raise UserError(f"unknown user {username!r}")
        return User(row[0], row[1], Role(row[2]), bool(row[4]))

    def all_users(self) -> list[User]:
        rows = self._db.execute("SELECT username FROM users ORDER BY username").fetchall()
        return [self.get(r[0]) for r in rows]

    def authenticate(self, ts: int, username: str, password: str) -> User:
        """The user if the password is right, else ``AuthError``; failures are throttled."""
        row = self._row(username)
        if row is None:
            self._audit(ts, username, "sign_in_failed", username, "unknown user")
            raise AuthError("wrong user name or password")
        user = User(row[0], row[1], Role(row[2]), bool(row[4]))
        failures, last = int(row[5]), row[6]
        wait = throttle_wait_s(failures)
        if wait and last is not None and ts < last + wait * NS:
            left = (last + wait * NS - ts) / NS
            self._audit(ts, username, "sign_in_throttled", username, f"{failures} failures")
            raise Throttled(f"too many failed attempts for {username}: try again in {left:.0f} s")
        if user.disabled:
            self._audit(ts, username, "sign_in_failed", username, "disabled")
            raise AuthError(f"user {username} is disabled")
        try:
            self._hasher.verify(row[3], password)
        except (VerificationError, InvalidHashError):
            self._db.execute(
                "UPDATE users SET failures = failures + 1, last_failure_ns = ? WHERE username = ?",
                (ts, username),
            )
            self._audit(ts, username, "sign_in_failed", username, "wrong password")
            raise AuthError("wrong user name or password") from None
        if failures:
            self._db.execute("UPDATE users SET failures = 0 WHERE username = ?", (username,))
        return user

    def authorise(self, ts: int, username: str, password: str, permission: Permission) -> User:
        """Authenticate, then check the role may do ``permission``."""
        user = self.authenticate(ts, username, password)
        if not allowed(user.role, permission):
            self._audit(ts, username, "refused", username, permission.value)
            raise NotPermitted(f"{user.role.value} {username} may not {permission.value}")
        return user

    def audit(self, username: str | None = None) -> list[tuple[int, str, str, str, str]]:
        sql = "SELECT ts, username, action, by_user, detail FROM audit"
        args: tuple[str, ...] = ()
        if username is not None:
            sql, args = sql + " WHERE username = ?", (username,)
        return [tuple(r) for r in self._db.execute(sql + " ORDER BY id", args)]

    def _row(self, username: str) -> tuple[str, str, str, str, int, int, int | None] | None:
        cursor = self._db.execute(
            "SELECT username, printed_name, role, password_hash, disabled, failures, "
            "last_failure_ns FROM users WHERE username = ?",
            (username,),
        )
        row: tuple[str, str, str, str, int, int, int | None] | None = cursor.fetchone()
        return row

    def _audit(self, ts: int, username: str, action: str, by: str, detail: str) -> None:
        self._db.execute(
            "INSERT INTO audit (ts, username, action, by_user, detail) VALUES (?,?,?,?,?)",
            (ts, username, action, by, detail),
        )


def throttle_wait_s(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures: 0, 0, 0, 1, 2, 4 … 900."""
    if failures < FREE_ATTEMPTS:
        return 0
    return int(min(2 ** (failures - FREE_ATTEMPTS), MAX_WAIT_S))


def _check_username(username: str) -> None:
    if not username or len(username) > 64 or set(username) - USERNAME_CHARS:
        raise UserError(
            f"user name {username!r}: use 1 to 64 lower-case letters, digits, '.', '_' or '-'"
        )


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise UserError("password too short: at least 10 characters")
