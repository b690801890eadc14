"""How an act on a lot is recorded: signed in, checked against the journal, appended, told.

``LotActs`` is the machinery the lot desk's acts share: the signer checked off the loop with
the permission the act needs; the lot read from the journal after a commit, with its cycles'
verdicts and its state (``Current``); the act's records appended in one commit; then the
registry and the listeners (the lot watch) told, and the answer: the lot's state and the
signature. A refusal raises before anything is appended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from config import Settings
from monitor.api.requests import Credentials
from monitor.clock import Clock
from monitor.errors import NotFound, Refused
from monitor.journal import (
    Journal,
    JournalError,
    JournalReader,
    LotBook,
    LotError,
    Record,
    fold_lot,
)
from monitor.journal.errors import RecordError
from monitor.journal.lot_state import CycleOutcome, LotStatus, lot_status
from monitor.journal.streams import lot_stream
from monitor.service.lot_json import Json, signature_json, status_json
from monitor.service.lot_registry import LotRegistry
from monitor.service.lot_views import unknown_enclosure
from monitor.signature import Signature
from monitor.users import NotPermitted, Permission, User, UserStore

log = logging.getLogger(__name__)
T = TypeVar("T")
SIGNED = ("user", "printed_name", "meaning", "comment")  # a Signature's fields, in its order


@dataclass(frozen=True, slots=True)
class Current:
    """A lot as the journal holds it just before an act."""

    records: list[Record]
    outcomes: dict[str, CycleOutcome]
    status: LotStatus


class LotActs:
    """What every act on a lot does before and after its own records."""

    settings: Settings
    journal: Journal
    users: UserStore
    clock: Clock
    book: LotBook
    registry: LotRegistry
    changed: list[Callable[[int], None]]

    async def _sign_in(
        self, credentials: Credentials, permission: Permission, act: str = ""
    ) -> User:
        """The signer, checked off the loop (``ServiceFacade._sign_in``); a release or a
        decision refused to a technician says it is a supervisor's."""
        password = credentials.password.get_secret_value()
        now = self.clock.now_ns()
        try:
            return await self.users.authorise_off_loop(now, credentials.user, password, permission)
        except NotPermitted as exc:
            if not act:
                raise
            raise NotPermitted(
                f"only a supervisor (the pharmacist or doctor in charge) may {act}: {exc}"
            ) from None

    def _current(self, lot: str) -> Current:
        """The lot's records after a commit, its cycles' outcomes and its status."""
        self._guard(lambda: lot_stream(self.book.check_lot(lot)))
        try:
            self.journal.flush()
        except JournalError as exc:  # a full disk: the lot's last records may wait in memory
            raise Refused(
                f"the journal cannot store records now ({exc}): try again later"
            ) from None
        with JournalReader(self.journal.path) as reader:
            records = reader.stream_records(lot_stream(lot))
            if not records:
                raise NotFound(f"unknown lot {lot!r}")
            dossier = fold_lot(lot, records)
            outcomes = self.registry.outcomes(dossier.linked_cycles, reader)
        return Current(records, outcomes, self._status(lot, records, outcomes))

    def _status(
        self, lot: str, records: Sequence[Record], outcomes: dict[str, CycleOutcome]
    ) -> LotStatus:
        return lot_status(
            fold_lot(lot, records), outcomes, self.registry.limits, self.registry.freezers
        )

    def _leave(self, status: LotStatus, now: int, signature: Signature) -> list[Record]:
        """The end of the lot's open stay, if it has one."""
        if status.stay is None:
            return []
        return [self.book.end_stay(status.lot, status.stay.enclosure, now, signature)]

    def _enclosure(self, enclosure: str) -> str:
        if not any(e.id == enclosure for e in self.settings.enclosures):
            raise NotFound(unknown_enclosure(self.settings, enclosure))
        return enclosure

    def _together(self, act: Callable[[], list[Record]]) -> list[Record]:
        with self.journal.together():
            return self._guard(act)

    def _done(
        self,
        lot: str,
        before: list[Record],
        outcomes: dict[str, CycleOutcome],
        appended: list[Record],
    ) -> Json:
        """The act is on record: the registry and the watch hear of it; the answer says the
        lot's state now and the signature."""
        records = [*before, *appended]
        self.registry.take(lot, records)
        now = appended[-1].ts
        for listener in self.changed:
            try:
                listener(now)
            except Exception:  # the act is on record: a listener's fault must not hide it
                log.exception("a listener of the lot desk failed after an act on %s", lot)
        status = self._status(lot, records, outcomes)
        signature = Signature(*(str(appended[-1].fields.get(name, "")) for name in SIGNED))
        return {
            **status_json(status),
            "records": [r.location for r in appended],
            "signature": signature_json(signature, now),
        }

    @staticmethod
    def _guard(act: Callable[[], T]) -> T:
        """The book's refusals of a record's shape (a lot number the journal cannot name
        a stream after included) as the API's refusals."""
        try:
            return act()
        except (LotError, RecordError) as exc:
            raise Refused(str(exc)) from None


def signed(user: User, meaning: str, comment: str = "") -> Signature:
    """The signature of an authenticated person on what she just did."""
    return Signature(user.username, user.printed_name, meaning, comment)


def refuse(reason: str | None) -> None:
    """A rule's refusal (``lot_refusals``) as the API's 409; None lets the act go on."""
    if reason:
        raise Refused(reason)
