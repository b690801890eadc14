"""Sign-ins under names that are nobody's, made to look like sign-ins of a real user.

Whether a user name exists must show neither in the answer to a sign-in nor in its time.
A name nobody has is checked against a dummy hash of the same argon2 parameters, which
costs what a real check costs and never matches; its failures are counted and throttled as
a user's are, in a table of their own (the users table holds only people), kept across
restarts as theirs are.
"""

from __future__ import annotations

import base64
import os
import sqlite3

from argon2 import PasswordHasher, Type
from argon2.low_level import ARGON2_VERSION

# Enough that pushing a throttled name out takes this many argon2 checks of other names,
# few enough that the table stays small (a name is at most 64 characters).
MAX_NAMES = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS unknown_name_failures (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS unknown_name_failures_by_time
    ON unknown_name_failures (last_failure_ns);
"""

_TYPE_NAMES = {Type.ID: "argon2id", Type.I: "argon2i", Type.D: "argon2d"}


def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash in ``hasher``'s format and parameters, of no password: verifying against it
    takes as long as against a real one, and fails. Random bytes stand for the salt and
    the digest, so it costs nothing to make."""

    def b64(n: int) -> str:
        return base64.b64encode(os.urandom(n)).decode().rstrip("=")

    return (
        f"${_TYPE_NAMES[hasher.type]}$v={ARGON2_VERSION}"
        f"$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
        f"${b64(hasher.salt_len)}${b64(hasher.hash_len)}"
    )


class UnknownNames:
    """Failed sign-ins per name that is no user's, the ``MAX_NAMES`` most recent kept."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.executescript(SCHEMA)

    def failures(self, username: str) -> tuple[int, int | None]:
        """Consecutive failures under ``username`` and the time of the last, as for a user."""
        row = self._db.execute(
            "SELECT failures, last_failure_ns FROM unknown_name_failures WHERE username = ?",
            (username,),
        ).fetchone()
        return (0, None) if row is None else (int(row[0]), int(row[1]))

    def failed(self, username: str, ts: int) -> None:
        self._db.execute(
            "INSERT INTO unknown_name_failures (username, failures, last_failure_ns) "
            "VALUES (?, 1, ?) ON CONFLICT (username) DO UPDATE SET "
            "failures = failures + 1, last_failure_ns = excluded.last_failure_ns",
            (username, ts),
        )
        self._db.execute(
            "DELETE FROM unknown_name_failures WHERE username IN (SELECT username FROM "
            "unknown_name_failures ORDER BY last_failure_ns DESC LIMIT -1 OFFSET ?)",
            (MAX_NAMES,),
        )

    def forget(self, username: str) -> None:
        """The name is a user's now: its count is in the users table from here on."""
        self._db.execute("DELETE FROM unknown_name_failures WHERE username = ?", (username,))
