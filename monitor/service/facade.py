"""What people may ask of the running daemon, each request signed with a password.

The API calls these; each one authenticates (Part 11: signing asks for the password
again), checks the role, does the change through the pipeline or the lot book, and leaves
a chained record naming the user, the printed name, the meaning and the comment.
"""

from __future__ import annotations

from typing import Any

from monitor.alarms import Signature
from monitor.api.requests import (
    AckRequest,
    Credentials,
    CycleAbortRequest,
    CycleStartRequest,
    LotCreateRequest,
    ShelveRequest,
    UnshelveRequest,
)
from monitor.clock import NS_PER_S, Clock
from monitor.errors import NotFound, Refused
from monitor.evaluation import LotBacteriology, StartRefused
from monitor.journal import (
    DEVICE_STREAM,
    JournalReader,
    LotBook,
    LotError,
    Signer,
    fold_lot,
    lot_stream,
)
from monitor.service import wiring
from monitor.service.clock_sync import ClockSync
from monitor.service.pipeline import Pipeline
from monitor.service.status import alarm_json, status_json
from monitor.users import Permission, User, UserStore

Json = dict[str, Any]


class ServiceFacade:
    """The daemon's side of the local API."""

    def __init__(
        self,
        pipeline: Pipeline,
        users: UserStore,
        clock: Clock,
        sync: ClockSync,
        backlog: Any = None,
    ) -> None:
        self.pipeline = pipeline
        self.users = users
        self.clock = clock
        self.sync = sync
        self.backlog = backlog
        self.lots = LotBook(pipeline.journal, pipeline.settings.site.lot_number_pattern)

    # -- reads ------------------------------------------------------------------------------

    def status(self) -> Json:
        return status_json(self.pipeline, self.clock.now_ns(), self.sync, self.backlog)

    def alarms(self, include_normal: bool) -> list[Json]:
        return [alarm_json(a) for a in self.pipeline.alarms.listing(include_normal)]

    # -- alarms -----------------------------------------------------------------------------

    async def acknowledge(self, key: str, request: AckRequest) -> Json:
        now = self.clock.now_ns()
        user = self._sign_in(request, Permission.ACKNOWLEDGE, now)
        signature = Signature(user.username, user.printed_name, "acknowledged", request.comment)
        self.pipeline.record_alarms(*self.pipeline.alarms.acknowledge(now, key, signature))
        return alarm_json(self.pipeline.alarms.alarms[key])

    async def shelve(self, key: str, request: ShelveRequest) -> Json:
        now = self.clock.now_ns()
        user = self._sign_in(request, Permission.SHELVE, now)
        until = now + int(request.minutes * 60 * NS_PER_S)
        signature = Signature(user.username, user.printed_name, "shelved", request.comment)
        self.pipeline.record_alarms(*self.pipeline.alarms.shelve(now, key, until, signature))
        return alarm_json(self.pipeline.alarms.alarms[key])

    async def unshelve(self, key: str, request: UnshelveRequest) -> Json:
        now = self.clock.now_ns()
        user = self._sign_in(request, Permission.SHELVE, now)
        signature = Signature(user.username, user.printed_name, "unshelved", request.comment)
        self.pipeline.record_alarms(*self.pipeline.alarms.unshelve(now, key, signature))
        return alarm_json(self.pipeline.alarms.alarms[key])

    # -- cycles and lots --------------------------------------------------------------------

    async def start_cycle(self, request: CycleStartRequest) -> Json:
        now = self.clock.now_ns()
        user = self._sign_in(request, Permission.START_CYCLE, now)
        if not self.sync.synchronised():
            reason = "the system clock is not synchronised: a cycle's times would prove nothing"
            self.pipeline.journal.append_event(
                DEVICE_STREAM, "cycle_start_refused", {"reason": reason, "user": user.username}
            )
            raise Refused(reason)
        bacteriology = [self._bacteriology(lot) for lot in request.lots]
        # The cycle, its links to the lots and its signature are on disk together or not at all.
        with self.pipeline.journal.together():
            try:
                cycle = self.pipeline.start_cycle(
                    request.pasteuriser, bacteriology, request.program, now
                )
            except StartRefused as refused:
                self.pipeline.handle([refused.event(now, request.pasteuriser)])
                raise Refused(refused.reason) from None
            meaning = f"cycle started on {cycle.pasteuriser}"
            signer = Signer(user.username, user.printed_name, meaning)
            for lot in request.lots:
                self.lots.link_cycle(lot, cycle.stream, signer, now)
            self.pipeline.journal.append_event(
                cycle.stream,
                "cycle_signed",
                {"user": user.username, "printed_name": user.printed_name, "meaning": "started"},
                ts=now,
            )
        return {"cycle": cycle.stream, "pasteuriser": cycle.pasteuriser, "lots": request.lots,
                "program": cycle.program}  # fmt: skip

    async def abort_cycle(self, pasteuriser: str, request: CycleAbortRequest) -> Json:
        now = self.clock.now_ns()
        user = self._sign_in(request, Permission.START_CYCLE, now)
        # A mistyped id must say "unknown pasteuriser", not "no cycle runs on" it.
        wiring.pasteuriser(self.pipeline.settings, pasteuriser)
        cycle = self.pipeline.abort_cycle(pasteuriser, user.username, request.reason, now)
        verdict = cycle.machine.verdict
        return {"cycle": cycle.stream, "outcome": verdict.outcome.value if verdict else None}

    async def create_lot(self, request: LotCreateRequest) -> Json:
        now = self.clock.now_ns()
        user = self._sign_in(request, Permission.START_CYCLE, now)
        signer = Signer(user.username, user.printed_name)
        try:
            self.lots.check_lot(request.lot)
            self.lots.create(request.lot, list(request.sub_lots), signer, now)
            self.lots.record_bacteriology(
                request.lot, "before", request.total_flora_cfu_ml, request.s_aureus_cfu_ml,
                signer, request.lab_reference, now,
            )  # fmt: skip
        except LotError as exc:
            raise Refused(str(exc)) from None
        return {"lot": request.lot, "stream": lot_stream(request.lot)}

    # -- internals --------------------------------------------------------------------------

    def _sign_in(self, credentials: Credentials, permission: Permission, now: int) -> User:
        password = credentials.password.get_secret_value()
        return self.users.authorise(now, credentials.user, password, permission)

    def _bacteriology(self, lot: str) -> LotBacteriology:
        journal = self.pipeline.journal
        journal.flush()
        with JournalReader(journal.path) as reader:
            records = reader.stream_records(lot_stream(lot))
        if not records:
            raise NotFound(f"unknown lot {lot!r}: create it with its bacteriology first")
        before = fold_lot(lot, records).latest_bacteriology("before")
        if before is None:
            raise Refused(f"lot {lot} has no bacteriology before pasteurisation")
        return LotBacteriology(lot, before.total_flora_cfu_ml, before.s_aureus_cfu_ml)
