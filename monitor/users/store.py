"""The user database: one SQLite file beside the journal, with its own append-only audit.

Passwords are argon2id hashes. Failed sign-ins are counted per user name and throttled
(after three failures each attempt must wait twice as long as the last, up to 15 minutes),
the count surviving restarts so a script cannot reset it by restarting the daemon. A name
that is nobody's gets the same answers in the same time (``monitor.users.unknown_names``).
Every change is written with its audit row, signed by a supervisor, in one transaction
(``monitor.users.audit``).
"""

from __future__ import annotations

import asyncio
import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from monitor.signature import Signature
from monitor.users import audit
from monitor.users.audit import CHANGE_MEANING, Change
from monitor.users.credentials import password_problem, text_problem, username_problem
from monitor.users.credentials import valid_username as _valid
from monitor.users.roles import Permission, Role, allowed
from monitor.users.unknown_names import UnknownNames, dummy_hash

NS = 1_000_000_000
FREE_ATTEMPTS = 3
MAX_WAIT_S = 900

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


@dataclass(frozen=True, slots=True)
class _Attempt:
    """A sign-in past its throttle check, before its password check."""

    username: str
    user: User | None  # None: the name is nobody's
    stored_hash: str
    failures: int


class UserStore:
    """Users, roles and passwords in ``path`` (created on first use, mode 0600)."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self.path = path
        new = not path.exists()
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.executescript(_SCHEMA)
            audit.create_audit(self._db)
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path}: not a usable user database ({exc})") from None
        if new:
            path.chmod(0o600)
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        self._unknown = UnknownNames(self._db)
        self._dummy_hash = dummy_hash(self._hasher)

    def close(self) -> None:
        self._db.close()

    def add(self, ts: int, username: str, printed_name: str, role: Role, password: str,
            by: str | Signature) -> User:  # fmt: skip
        """Add a user; ``by``: the supervisor's signature, or their login (then signed with
        the printed name on record, meaning ``authorised``); the first user signs for
        themselves."""
        _refuse(username_problem(username))
        if not printed_name.strip():
            raise UserError("a printed name is required: it appears on every signature")
        _refuse(password_problem(password) or text_problem("printed name", printed_name))
        if self._row(username) is not None:
            raise UserError(f"user {username!r} already exists")
        password_hash = self._hasher.hash(password)
        with self._changing():
            self._db.execute(
                "INSERT INTO users (username, printed_name, role, password_hash) VALUES (?,?,?,?)",
                (username, printed_name.strip(), role.value, password_hash),
            )
            self._unknown.forget(username)
            audit.record_change(self._db, ts, username, audit.ADDED, self._signature(by),
                                role=role.value, account_name=printed_name.strip())  # fmt: skip
        return self.get(username)

    def set_role(self, ts: int, username: str, role: Role, by: str | Signature) -> User:
        """Give a user another role; the last supervisor who is not disabled keeps theirs."""
        with self._changing():  # checked inside: two commands at once see one another
            user = self.get(username)
            if user.role is role:
                raise UserError(f"{username} is already a {role.value}")
            if user.role is Role.SUPERVISOR and not user.disabled and self._supervisors() == 1:
                raise UserError(
                    f"{username} is the last supervisor: make another user supervisor first"
                )
            self._db.execute("UPDATE users SET role = ? WHERE username = ?", (role.value, username))
            audit.record_change(self._db, ts, username, audit.ROLE_CHANGED, self._signature(by),
                                role=role.value, previous_role=user.role.value)  # fmt: skip
        return self.get(username)

    def set_password(self, ts: int, username: str, password: str, by: str | Signature) -> None:
        self.get(username)
        _refuse(password_problem(password))
        password_hash = self._hasher.hash(password)
        with self._changing():
            self._db.execute(
                "UPDATE users SET password_hash = ?, failures = 0 WHERE username = ?",
                (password_hash, username),
            )
            audit.record_change(self._db, ts, username, audit.PASSWORD_CHANGED, self._signature(by))

    def disable(self, ts: int, username: str, by: str | Signature) -> None:
        self.get(username)
        with self._changing():
            self._db.execute("UPDATE users SET disabled = 1 WHERE username = ?", (username,))
            audit.record_change(self._db, ts, username, audit.DISABLED, self._signature(by))

    def changes_after(self, audit_id: int, limit: int = 100) -> list[Change]:
        """The changes to the users after ``audit_id``, in order (``audit.changes_after``)."""
        return audit.changes_after(self._db, audit_id, limit)

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
        attempt = self._before_check(ts, username)
        return self._after_check(ts, attempt, self._matches(attempt.stored_hash, password))

    async def authorise_off_loop(
        self, ts: int, username: str, password: str, permission: Permission
    ) -> User:
        """``authorise`` with the password hash checked in a worker thread: argon2 takes
        some 0.2 s, which the event loop (and every probe on it) must not wait for."""
        attempt = self._before_check(ts, username)
        matches = await asyncio.to_thread(self._matches, attempt.stored_hash, password)
        return self._permitted(ts, self._after_check(ts, attempt, matches), permission)

    def authorise(self, ts: int, username: str, password: str, permission: Permission) -> User:
        """Authenticate, then check the role may do ``permission``."""
        return self._permitted(ts, self.authenticate(ts, username, password), permission)

    def _permitted(self, ts: int, user: User, permission: Permission) -> User:
        if not allowed(user.role, permission):
            self._audit(ts, user.username, "refused", user.username, permission.value)
            raise NotPermitted(f"{user.role.value} {user.username} may not {permission.value}")
        return user

    def _before_check(self, ts: int, username: str) -> _Attempt:
        """Throttled or not, and what to check the password against: the same steps for a
        name that is nobody's as for a user's, so neither answer nor time tells them apart."""
        row = self._row(username)
        if row is None:
            user, stored_hash = None, self._dummy_hash
            failures, last = self._unknown.failures(username) if _valid(username) else (0, None)
        else:
            user, stored_hash = User(row[0], row[1], Role(row[2]), bool(row[4])), row[3]
            failures, last = int(row[5]), row[6]
        wait = throttle_wait_s(failures)
        if wait and last is not None and ts < last + wait * NS:
            left = math.ceil((last + wait * NS - ts) / NS)
            self._audit(ts, username, "sign_in_throttled", username, f"{failures} failures")
            raise Throttled(f"too many failed attempts for {username}: try again in {left} s")
        return _Attempt(username, user, stored_hash, failures)

    def _matches(self, stored_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def _after_check(self, ts: int, attempt: _Attempt, matches: bool) -> User:
        username, user = attempt.username, attempt.user
        if user is None or not matches:
            if user is not None:
                self._db.execute(
                    "UPDATE users SET failures = failures + 1, last_failure_ns = ? "
                    "WHERE username = ?",
                    (ts, username),
                )
            elif _valid(username):
                # A name no user may have tells nothing about anyone: it is not counted.
                self._unknown.failed(username, ts)
            detail = "unknown user" if user is None else "wrong password"
            self._audit(ts, username, "sign_in_failed", username, detail)
            raise AuthError("wrong user name or password")
        if user.disabled:
            # Only after the right password: a disabled account is still an account.
            self._audit(ts, username, "sign_in_failed", username, "disabled")
            raise AuthError(f"user {username} is disabled")
        if attempt.failures:
            self._db.execute("UPDATE users SET failures = 0 WHERE username = ?", (username,))
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
        audit.record_event(self._db, ts, username, action, by, detail)

    def _signature(self, by: str | Signature) -> Signature:
        if not isinstance(by, Signature):
            row = self._row(by)
            by = Signature(by, row[1] if row is not None else by, CHANGE_MEANING)
        for name, text in by.fields().items():
            _refuse(text_problem(name, text))
        return by

    def _supervisors(self) -> int:
        sql = "SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0"
        return int(self._db.execute(sql, (Role.SUPERVISOR.value,)).fetchone()[0])

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """One transaction: a change and its audit row are written together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def throttle_wait_s(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures: 0, 0, 0, 1, 2, 4 … 900."""
    if failures < FREE_ATTEMPTS:
        return 0
    return int(min(2 ** (failures - FREE_ATTEMPTS), MAX_WAIT_S))


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise UserError(problem)
