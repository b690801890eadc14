"""The user database's audit: an append-only table of every change to the users and every
sign-in refused or throttled.

A change (a user added, a role changed, a user disabled, a password changed) is written in
the same transaction as the change itself, with the signature of the supervisor who made it:
login, printed name, meaning and comment (``monitor.signature.Signature``). The daemon copies
the changes, in the order of their ids, into the journal's ``users`` stream
(``monitor.users.journaling``); sign-ins change nobody and stay here.

Rows written before signatures were kept have no printed name, meaning or comment: they are
read back ``backfilled``, with the printed name the database holds now for that login.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from monitor.signature import Signature

ADDED = "added"
ROLE_CHANGED = "role_changed"
DISABLED = "disabled"
PASSWORD_CHANGED = "password_changed"
CHANGES = (ADDED, ROLE_CHANGED, DISABLED, PASSWORD_CHANGED)
CHANGE_MEANING = "authorised"  # what a supervisor's signature on a user change means

_SCHEMA = """
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
# Added to the first table's rows: the signature of a change, and what it changed.
_SIGNED_COLUMNS = (
    "by_printed_name",
    "meaning",
    "comment",
    "role",
    "previous_role",
    "account_name",
)
_SELECT_CHANGES = f"""
SELECT a.id, a.ts, a.username, a.action, a.by_user, a.by_printed_name, a.meaning, a.comment,
       a.role, a.previous_role, a.account_name, a.detail, b.printed_name, u.printed_name
FROM audit AS a
LEFT JOIN users AS b ON b.username = a.by_user
LEFT JOIN users AS u ON u.username = a.username
WHERE a.id > ? AND a.action IN ({", ".join("?" * len(CHANGES))})
ORDER BY a.id LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class Change:
    """One change to the users, as the audit holds it; ``ts``: when it was made.

    ``role``: the role after the change (added, role changed); ``previous_role``: before a
    role change; ``account_name``: the printed name of a user added.
    """

    audit_id: int
    ts: int
    username: str
    action: str
    by: Signature
    role: str | None = None
    previous_role: str | None = None
    account_name: str | None = None
    backfilled: bool = False


def create_audit(db: sqlite3.Connection) -> None:
    """Create the audit table, or give an older one the columns of signed changes."""
    db.executescript(_SCHEMA)
    present = {row[1] for row in db.execute("PRAGMA table_info(audit)")}
    for column in _SIGNED_COLUMNS:
        if column not in present:
            db.execute(f"ALTER TABLE audit ADD COLUMN {column} TEXT")


def record_event(
    db: sqlite3.Connection, ts: int, username: str, action: str, by: str, detail: str
) -> None:
    """A row that changes nobody: a sign-in refused or throttled, a permission refused."""
    db.execute(
        "INSERT INTO audit (ts, username, action, by_user, detail) VALUES (?,?,?,?,?)",
        (ts, username, action, by, detail),
    )


def record_change(
    db: sqlite3.Connection,
    ts: int,
    username: str,
    action: str,
    by: Signature,
    *,
    role: str | None = None,
    previous_role: str | None = None,
    account_name: str | None = None,
) -> None:
    """A change, signed by ``by``; call it inside the transaction that makes the change."""
    if action not in CHANGES:
        raise ValueError(f"{action!r} is not a change to the users")
    detail = ""
    if action == ADDED:
        detail = f"role {role}"
    elif action == ROLE_CHANGED:
        detail = f"role {previous_role} to {role}"
    db.execute(
        "INSERT INTO audit (ts, username, action, by_user, detail, by_printed_name, meaning, "
        "comment, role, previous_role, account_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (ts, username, action, by.user, detail, by.printed_name, by.meaning, by.comment, role,
         previous_role, account_name),
    )  # fmt: skip


def changes_after(db: sqlite3.Connection, after_id: int, limit: int = 100) -> list[Change]:
    """Up to ``limit`` changes with an audit id above ``after_id``, in id order."""
    rows = db.execute(_SELECT_CHANGES, (after_id, *CHANGES, limit)).fetchall()
    return [_change(row) for row in rows]


def _change(row: tuple[Any, ...]) -> Change:
    audit_id, ts, username, action, by_user, by_name, meaning, comment = row[:8]
    role, previous_role, account_name, detail, name_now, account_now = row[8:]
    backfilled = by_name is None
    if backfilled:
        by_name, meaning, comment = name_now or by_user, CHANGE_MEANING, ""
        if action == ADDED:
            role = str(detail).removeprefix("role ") or None
            account_name = account_now
    return Change(
        int(audit_id),
        int(ts),
        str(username),
        str(action),
        Signature(str(by_user), str(by_name), str(meaning), str(comment or "")),
        _text(role),
        _text(previous_role),
        _text(account_name),
        backfilled,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
