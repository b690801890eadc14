"""User changes into the signed journal: the audit's changes, in order, as ``users`` records.

The command line changes the user database directly, the daemon running or not (the first
supervisor is added before the daemon ever starts). The daemon, the only writer of the
journal, copies each change of the database's audit into the journal's ``users`` stream: at
start (changes made while it was stopped) and every few seconds while it runs. A record is
stamped when it is journaled; ``changed_ns`` says when the change was made.

What was copied is read from the journal itself, the last ``audit_id`` of the ``users``
stream, so a crash between an append and its commit neither skips nor repeats a change.
While the journal cannot commit (disk full), or the user database is busy, changes wait in
the audit, which keeps them.

A record holds ``audit_id``, ``changed_ns``, ``account`` (the user changed), what changed,
and the supervisor's signature (``user``, ``printed_name``, ``meaning``, ``comment``):

| kind | what changed |
|---|---|
| ``user_added`` | ``account_name`` (printed name), ``role``, ``disabled`` false |
| ``user_role_changed`` | ``role``, ``previous_role`` |
| ``user_disabled`` | ``disabled`` true |
| ``user_password_changed`` | ``password``: ``changed`` (never the hash) |

``backfilled`` (true) marks a change made before signatures were kept with changes: its
printed name is the one the database held when it was journaled.

Between two looks the database file is only stat'ed: every change rewrites it, and reading
the audit was most of this component's cost (a read transaction every two seconds). A file
changed within ``RECENT_S`` of a look is read whatever its stamp says: a second change in
the same tick of the file system's clock leaves the stamp as it was.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from monitor.clock import sleep_to_beat
from monitor.journal import Journal, JournalReader
from monitor.journal.record import FieldValue
from monitor.journal.streams import USERS_STREAM
from monitor.users import audit
from monitor.users.audit import Change
from monitor.users.store import UserStore

log = logging.getLogger(__name__)
POLL_S = 2.0
BATCH = 100
RECENT_S = 2.0
KINDS = {
    audit.ADDED: "user_added",
    audit.ROLE_CHANGED: "user_role_changed",
    audit.DISABLED: "user_disabled",
    audit.PASSWORD_CHANGED: "user_password_changed",
}


class UserChangeJournal:
    """Copies the user database's changes into the journal (a daemon component)."""

    def __init__(
        self, users: UserStore, journal: Journal, poll_s: float = POLL_S, batch: int = BATCH
    ) -> None:
        self.users, self.journal, self.poll_s, self.batch = users, journal, poll_s, batch
        self.last_id = journaled_up_to(journal)
        self.reads = 0  # the looks that read the audit
        self._read_when: tuple[int, int, int] | None = None  # the file then: all was copied

    async def run(self) -> None:
        while True:
            self.look()
            await sleep_to_beat(self.poll_s)  # real time: people's changes, not the lab's

    def look(self) -> None:
        """Copy what changed, if the database file changed since everything was copied."""
        state = _file_state(self.users.path)
        if state is not None and state == self._read_when:
            return
        self.reads += 1
        try:
            if self.journal.last_error is None:
                self.catch_up()
                recent = state is None or time.time_ns() - state[2] < RECENT_S * 1e9
                self._read_when = None if recent else state
        except sqlite3.OperationalError as exc:  # a command line holds the database
            log.warning("user changes not journaled yet (%s): trying again", exc)

    def catch_up(self) -> int:
        """Journal every change not yet journaled; how many."""
        if self.journal.last_error is not None:
            return 0  # they wait in the audit until the journal commits again
        count = 0
        while True:
            changes = self.users.changes_after(self.last_id, self.batch)
            with self.journal.together():
                for change in changes:
                    self.journal.append_event(
                        USERS_STREAM, KINDS[change.action], change_fields(change)
                    )
                    self.last_id = change.audit_id
            count += len(changes)
            if len(changes) < self.batch:
                return count


def _file_state(path: Path) -> tuple[int, int, int] | None:
    """What a write to the file changes: its identity, size and stamp; None if unreadable."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def journaled_up_to(journal: Journal) -> int:
    """The audit id of the last change the journal's ``users`` stream holds, 0 for none."""
    with JournalReader(journal.path) as reader:
        for record in reversed(reader.stream_records(USERS_STREAM)):
            audit_id = record.fields.get("audit_id")
            if type(audit_id) is int:
                return audit_id
    return 0


def change_fields(change: Change) -> dict[str, FieldValue | None]:
    """The record fields of a change (the module's table); None fields are left out."""
    fields: dict[str, FieldValue | None] = {
        "audit_id": change.audit_id,
        "changed_ns": change.ts,
        "account": change.username,
        **change.by.fields(),
    }
    if change.action == audit.ADDED:
        fields.update(account_name=change.account_name, role=change.role, disabled=False)
    elif change.action == audit.ROLE_CHANGED:
        fields.update(role=change.role, previous_role=change.previous_role)
    elif change.action == audit.DISABLED:
        fields["disabled"] = True
    elif change.action == audit.PASSWORD_CHANGED:
        fields["password"] = "changed"
    if change.backfilled:
        fields["backfilled"] = True
    return {name: _journal_text(value) for name, value in fields.items()}


def _journal_text(value: FieldValue | None) -> FieldValue | None:
    """Text as the journal takes it: an older row's NUL is escaped, never a stopped copy."""
    return value.replace("\0", "\\x00") if isinstance(value, str) else value
