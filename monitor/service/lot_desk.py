"""The lot's life as people sign it: each act checked against the lot's state, then recorded.

Each act signs in with the permission it needs (a release or a decision: a supervisor's,
Arrêté 1995 IX), reads the lot's records and its cycles' verdicts from the journal after a
commit, asks ``lot_refusals`` whether the act fits (a refusal records nothing and says why),
and appends the act's records together (``lot_acts``), each carrying the signer's printed
name, the meaning and the comment. Acts that end the lot's presence somewhere (its destruction, the
distribution of what was left) end its stay in the same commit. The registry and the lot
watch hear of each act at once (``changed``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from monitor.api.lot_requests import (
    LotControlRequest,
    LotCorrectRequest,
    LotDecideRequest,
    LotDestroyRequest,
    LotDistributeRequest,
    LotMoveRequest,
    LotReleaseRequest,
    LotStoreRequest,
    LotUnstoreRequest,
)
from monitor.api.requests import LotCreateRequest
from monitor.clock import Clock
from monitor.errors import Refused
from monitor.journal import JournalReader, LotBook, LotError, Record, fold_lot
from monitor.journal import lot_refusals as rules
from monitor.journal.lot_state import LotState
from monitor.journal.streams import lot_stream
from monitor.service.excursion_lots import ExcursionLots
from monitor.service.lot_acts import LotActs, refuse, signed
from monitor.service.lot_correction import correction_value
from monitor.service.lot_json import Json, signature_json
from monitor.service.lot_registry import LotRegistry
from monitor.service.lot_views import LotViews, read_exposures
from monitor.service.pipeline import Pipeline
from monitor.users import NotPermitted, Permission, UserStore
from monitor.users.roles import allowed


class LotDesk(LotActs):
    """The lot routes' side of the daemon: signed acts, and the reads (``views``)."""

    def __init__(self, pipeline: Pipeline, users: UserStore, clock: Clock) -> None:
        settings = pipeline.settings
        self.settings, self.journal = settings, pipeline.journal
        self.users, self.clock = users, clock
        self.book = LotBook(self.journal, settings.site.lot_number_pattern)
        limits = settings.lots.limits(settings.pasteurisation.post_flora_max_cfu_ml)
        freezers = [e.id for e in settings.enclosures if e.kind == "freezer"]
        self.registry = LotRegistry(limits, freezers)
        self.registry.load_quietly(self.journal.path)
        self.views = LotViews(self.journal, settings, self.registry, clock)
        self.excursion_lots = ExcursionLots(settings, self.registry, self.journal, pipeline.desk)
        self.changed: list[Callable[[int], None]] = []  # told the time of each act

    # -- acts -------------------------------------------------------------------------------

    async def create(self, request: LotCreateRequest) -> Json:
        user = await self._sign_in(request, Permission.START_CYCLE)
        now, lot = self.clock.now_ns(), request.lot
        try:
            self.book.check_lot(lot)
            created = self.book.create(
                lot,
                list(request.sub_lots),
                signed(user, "created"),
                now,
                request.bottles or None,
                request.volume_ml or None,
            )
            before = self.book.record_bacteriology(
                lot,
                "before",
                request.total_flora_cfu_ml,
                request.s_aureus_cfu_ml,
                signed(user, "recorded"),
                request.lab_reference,
                now,
            )
        except LotError as exc:
            raise Refused(str(exc)) from None
        return {**self._done(lot, [], {}, [created, before]), "stream": lot_stream(lot)}

    async def control(self, lot: str, request: LotControlRequest) -> Json:
        user = await self._sign_in(request, Permission.HANDLE_LOT)
        now, current = self.clock.now_ns(), self._current(lot)
        refuse(rules.control_refusal(current.status, request.stage))
        signature = signed(user, "recorded", request.comment)
        record = self._guard(
            lambda: self.book.record_bacteriology(
                lot,
                request.stage,
                request.total_flora_cfu_ml,
                request.s_aureus_cfu_ml,
                signature,
                request.lab_reference,
                now,
            )
        )
        return self._done(lot, current.records, current.outcomes, [record])

    async def release(self, lot: str, request: LotReleaseRequest) -> Json:
        user = await self._sign_in(request, Permission.RELEASE_LOT, "release a lot")
        now, current = self.clock.now_ns(), self._current(lot)
        refuse(rules.release_refusal(current.status))
        signature = signed(user, "released", request.comment)
        record = self._guard(lambda: self.book.release(lot, signature, now))
        return self._done(lot, current.records, current.outcomes, [record])

    async def destroy(self, lot: str, request: LotDestroyRequest) -> Json:
        user = await self._sign_in(request, Permission.HANDLE_LOT)
        now, current = self.clock.now_ns(), self._current(lot)
        refuse(rules.closed_refusal(current.status, "destroyed"))
        signature = signed(user, "destroyed", request.reason)
        records = self._together(
            lambda: [
                self.book.destroy(lot, request.reason, signature, now),
                *self._leave(current.status, now, signature),
            ]
        )
        return self._done(lot, current.records, current.outcomes, records)

    async def store(self, lot: str, request: LotStoreRequest) -> Json:
        user = await self._sign_in(request, Permission.HANDLE_LOT)
        enclosure = self._enclosure(request.enclosure)
        now, current = self.clock.now_ns(), self._current(lot)
        refuse(rules.store_refusal(current.status, enclosure))
        signature = signed(user, "stored", request.comment)
        record = self._guard(lambda: self.book.start_stay(lot, enclosure, now, signature))
        answer = self._done(lot, current.records, current.outcomes, [record])
        self.excursion_lots.stored(now, enclosure, [lot])
        return answer

    async def unstore(self, lot: str, request: LotUnstoreRequest) -> Json:
        user = await self._sign_in(request, Permission.HANDLE_LOT)
        enclosure = self._enclosure(request.enclosure) if request.enclosure else None
        now, current = self.clock.now_ns(), self._current(lot)
        refuse(rules.unstore_refusal(current.status, enclosure))
        records = self._leave(current.status, now, signed(user, "removed", request.comment))
        return self._done(lot, current.records, current.outcomes, records)

    async def move(self, request: LotMoveRequest) -> Json:
        """Several lots into one enclosure: one act, committed together."""
        user = await self._sign_in(request, Permission.HANDLE_LOT)
        to = self._enclosure(request.to)
        origin = self._enclosure(request.from_enclosure) if request.from_enclosure else None
        now = self.clock.now_ns()
        currents = {lot: self._current(lot) for lot in request.lots}
        refusals = [rules.move_refusal(c.status, to, origin) for c in currents.values()]
        refuse("; ".join(r for r in refusals if r) or None)
        moves = [(lot, c.status.location or "") for lot, c in currents.items()]
        signature = signed(user, "moved", request.comment)
        records = self._guard(lambda: self.book.move(moves, to, now, signature))
        answers = [
            self._done(lot, c.records, c.outcomes, [r for r in records if r.fields["lot"] == lot])
            for lot, c in currents.items()
        ]
        self.excursion_lots.stored(now, to, currents)
        return {
            "to": to,
            "lots": answers,
            "signature": signature_json(signature, now),
            "move_ref": str(records[0].fields.get("move_ref", "")),
        }

    async def distribute(self, lot: str, request: LotDistributeRequest) -> Json:
        user = await self._sign_in(request, Permission.HANDLE_LOT)
        now, current = self.clock.now_ns(), self._current(lot)
        bottles, volume = request.bottles, request.volume_ml
        refuse(rules.distribution_refusal(current.status, bottles, volume, now))
        signature = signed(user, "distributed", request.comment)

        def give() -> list[Record]:
            given = self.book.distribute(
                lot, bottles, volume, request.ward, request.recipient_ref, signature, now
            )
            after = self._status(lot, [*current.records, given], current.outcomes)
            if not after.closed:
                return [given]
            return [given, *self._leave(after, now, signed(user, "removed", "all distributed"))]

        records = self._together(give)
        return self._done(lot, current.records, current.outcomes, records)

    async def decide(self, lot: str, request: LotDecideRequest) -> Json:
        """A supervisor's decision on an excursion: keep the lot (the reason says why) or
        destroy it (the destruction recorded with the decision)."""
        user = await self._sign_in(request, Permission.RELEASE_LOT, "decide on a lot")
        now, current = self.clock.now_ns(), self._current(lot)
        dossier = fold_lot(lot, current.records)
        with JournalReader(self.journal.path) as reader:
            exposures = read_exposures(reader, dossier, self.settings.site.timezone, now)
        lived = {e.alarm: e for e in exposures}
        refuse(rules.decision_refusal(current.status, request.alarm, lived))
        chosen = [e for e in exposures if e.alarm == request.alarm]
        if request.excursion:
            chosen = [e for e in chosen if e.where == request.excursion]
            if not chosen:
                raise Refused(
                    f"lot {lot} lived through no {request.alarm} opened at {request.excursion}"
                )
        where = chosen[-1].where
        signature = signed(user, "decided", request.reason)

        def decide() -> list[Record]:
            decided = self.book.decide(
                lot, request.alarm, where, request.decision, request.reason, signature, now
            )
            if request.decision != "destroy":
                return [decided]
            reason = f"decision on {request.alarm}: {request.reason}"
            destroyed = signed(user, "destroyed", reason)
            return [
                decided,
                self.book.destroy(lot, reason, destroyed, now),
                *self._leave(current.status, now, destroyed),
            ]

        records = self._together(decide)
        return self._done(lot, current.records, current.outcomes, records)

    async def correct(self, lot: str, request: LotCorrectRequest) -> Json:
        user = await self._sign_in(request, Permission.HANDLE_LOT)
        current = self._current(lot)
        head = current.records[-1].seq
        refuse(rules.correction_refusal(current.status, request.reason, request.target_seq, head))
        target = next((r for r in current.records if r.seq == request.target_seq), None)
        if target is None:
            raise Refused(f"lot {lot} has no readable record #{request.target_seq} to correct")
        if rules.correction_is_supervised(current.status, target.kind) and not allowed(
            user.role, Permission.RELEASE_LOT
        ):
            raise NotPermitted(
                f"a correction of a released or closed lot, or of a supervisor's act, is a "
                f"supervisor's: {user.role.value} {user.username} may not make it"
            )
        value = None
        if not request.void:
            try:
                value = correction_value(target, request.field, request.value)
            except ValueError as exc:
                raise Refused(str(exc)) from None
        signature = signed(user, "corrected", request.reason)
        field = None if request.void else request.field
        record = self._guard(
            lambda: self.book.correct(
                lot, request.target_seq, request.reason, signature, field, value, request.void
            )
        )
        return self._done(lot, current.records, current.outcomes, [record])

    def check_pasteurisable(self, lots: Sequence[str]) -> None:
        """A cycle is refused for a closed or released lot: nothing more is done to it."""
        refusals = []
        for lot in lots:
            status = self._current(lot).status
            refusals.append(rules.closed_refusal(status, "pasteurised"))
            if status.state is LotState.RELEASED:
                refusals.append(f"lot {lot} is released: it is not pasteurised again")
        refuse("; ".join(r for r in refusals if r) or None)

    # -- reads ------------------------------------------------------------------------------

    def lots(self, include_closed: bool) -> Json:
        return self.views.lots(include_closed)

    def show(self, lot: str) -> Json:
        return self.views.show(lot)

    def enclosure_lots(self, enclosure: str) -> Json:
        return self.views.enclosure(enclosure)

    def trace(self, donor: str | None, lot: str | None) -> Json:
        if (donor is None) == (lot is None):
            raise Refused("trace a donor (donor=D) or a lot (lot=L), one of them")
        return (
            self.views.trace_donor(donor) if donor is not None else self.views.trace_lot(lot or "")
        )
