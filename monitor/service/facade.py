"""What people may ask of the running daemon, each request signed with a password.

The API calls these; each one authenticates (Part 11: signing asks for the password
again), checks the role, does the change through the pipeline or the lot book, and leaves
a chained record naming the user, the printed name, the meaning and the comment.
"""

from __future__ import annotations

from typing import Any

from drivers.reject_log import RejectLog
from monitor.alarms.model import supervisor_acknowledges
from monitor.api.requests import (
    AckRequest,
    Credentials,
    CycleAbortRequest,
    CycleStartRequest,
    LotCreateRequest,
    NotifyTestRequest,
    ShelveRequest,
    UnshelveRequest,
)
from monitor.clock import NS_PER_S, Clock
from monitor.errors import Refused
from monitor.evaluation import LotBacteriology, StartRefused
from monitor.journal import (
    DEVICE_STREAM,
    JournalError,
    JournalReader,
    LotBook,
)
from monitor.service import wiring
from monitor.service.clock_sync import ClockSync
from monitor.service.cycles import lot_bacteriology
from monitor.service.lot_desk import LotDesk
from monitor.service.notifications import Notifications
from monitor.service.pipeline import Pipeline
from monitor.service.sheet_desk import SheetDesk
from monitor.service.status import alarm_json, status_json
from monitor.signature import Signature
from monitor.users import NotPermitted, Permission, User, UserStore

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
        notifications: Notifications | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.desk = pipeline.desk
        self.users = users
        self.clock = clock
        self.sync = sync
        self.backlog = backlog
        self.notifications = notifications
        self.reject_logs: list[RejectLog] = []
        self.lots = LotBook(pipeline.journal, pipeline.settings.site.lot_number_pattern)
        self.sheets = SheetDesk(pipeline, users, clock)
        self.lot_desk = LotDesk(pipeline, users, clock)

    # -- reads ------------------------------------------------------------------------------

    def status(self) -> Json:
        status = status_json(self.pipeline, self.clock.now_ns(), self.sync, self.backlog)
        if self.notifications is not None:
            status["notify"] = self.notifications.status()
        rejects: dict[str, dict[str, int]] = {}
        for reject_log in self.reject_logs:
            for (source, reason), count in reject_log.counts.items():
                rejects.setdefault(source, {})[reason] = count
        status["rejects"] = rejects
        return status

    def alarms(self, include_normal: bool) -> list[Json]:
        return [alarm_json(a) for a in self.desk.listing(include_normal)]

    # -- alarms -----------------------------------------------------------------------------

    async def acknowledge(self, key: str, request: AckRequest) -> Json:
        supervised = supervisor_acknowledges(key)
        needed = Permission.ACKNOWLEDGE_INTEGRITY if supervised else Permission.ACKNOWLEDGE
        try:
            user = await self._sign_in(request, needed)
        except NotPermitted as exc:
            if not supervised:
                raise
            raise NotPermitted(
                f"only a supervisor may acknowledge alarm {key}: it says the journal may not be "
                f"the lab's true record ({exc})"
            ) from None
        now = self.clock.now_ns()
        signature = signed(user, "acknowledged", request.comment)
        return alarm_json(self.desk.acknowledge(now, key, signature))

    async def shelve(self, key: str, request: ShelveRequest) -> Json:
        user = await self._sign_in(request, Permission.SHELVE)
        now = self.clock.now_ns()
        until = now + int(request.minutes * 60 * NS_PER_S)
        signature = signed(user, "shelved", request.comment)
        return alarm_json(self.desk.shelve(now, key, until, signature))

    async def unshelve(self, key: str, request: UnshelveRequest) -> Json:
        user = await self._sign_in(request, Permission.SHELVE)
        now = self.clock.now_ns()
        signature = signed(user, "unshelved", request.comment)
        return alarm_json(self.desk.unshelve(now, key, signature))

    # -- cycles and lots --------------------------------------------------------------------

    async def start_cycle(self, request: CycleStartRequest) -> Json:
        user = await self._sign_in(request, Permission.START_CYCLE)
        now = self.clock.now_ns()
        if not self.sync.synchronised():
            reason = "the system clock is not synchronised: a cycle's times would prove nothing"
            self.pipeline.journal.append_event(
                DEVICE_STREAM, "cycle_start_refused", {"reason": reason, "user": user.username}
            )
            raise Refused(reason)
        bacteriology = [self._bacteriology(lot) for lot in request.lots]
        self.lot_desk.check_pasteurisable(request.lots)
        # The cycle, its links to the lots and its signature are on disk together or not at all.
        with self.pipeline.journal.together():
            try:
                cycle = self.pipeline.start_cycle(
                    request.pasteuriser, bacteriology, request.program, now
                )
            except StartRefused as refused:
                self.pipeline.record_events([refused.event(now, request.pasteuriser)])
                raise Refused(refused.reason) from None
            linked = signed(user, "linked", f"cycle started on {cycle.pasteuriser}")
            for lot in request.lots:
                self.lots.link_cycle(lot, cycle.stream, linked, now)
            started = signed(user, "started").fields()
            del started["comment"]  # the record format of a cycle's signature since its start
            self.pipeline.journal.append_event(cycle.stream, "cycle_signed", started, ts=now)
        return {"cycle": cycle.stream, "pasteuriser": cycle.pasteuriser, "lots": request.lots,
                "program": cycle.program}  # fmt: skip

    async def abort_cycle(self, pasteuriser: str, request: CycleAbortRequest) -> Json:
        user = await self._sign_in(request, Permission.START_CYCLE)
        now = self.clock.now_ns()
        # A mistyped id must say "unknown pasteuriser", not "no cycle runs on" it.
        wiring.pasteuriser(self.pipeline.settings, pasteuriser)
        cycle = self.pipeline.abort_cycle(pasteuriser, user.username, request.reason, now)
        verdict = cycle.machine.verdict
        return {"cycle": cycle.stream, "outcome": verdict.outcome.value if verdict else None}

    async def create_lot(self, request: LotCreateRequest) -> Json:
        return await self.lot_desk.create(request)

    # -- notifications ----------------------------------------------------------------------

    async def notify_test(self, request: NotifyTestRequest) -> Json:
        user = await self._sign_in(request, Permission.ACKNOWLEDGE)
        if self.notifications is None:
            raise Refused("this unit has no notification channel")
        return self.notifications.test(request.channel, request.to, user.username)

    # -- internals --------------------------------------------------------------------------

    async def _sign_in(self, credentials: Credentials, permission: Permission) -> User:
        """The signer, checked off the loop; callers read the clock after it, so a record
        is never stamped before what the loop recorded while the password was checked."""
        password = credentials.password.get_secret_value()
        now = self.clock.now_ns()
        return await self.users.authorise_off_loop(now, credentials.user, password, permission)

    def _bacteriology(self, lot: str) -> LotBacteriology:
        journal = self.pipeline.journal
        try:
            journal.flush()
        except JournalError as exc:  # a full disk: the lot's records may wait in memory
            raise Refused(
                f"the journal cannot store records now ({exc}): try again later"
            ) from None
        with JournalReader(journal.path) as reader:
            return lot_bacteriology(reader, lot)


def signed(user: User, meaning: str, comment: str = "") -> Signature:
    """The signature of an authenticated person on what she just did."""
    return Signature(user.username, user.printed_name, meaning, comment)
