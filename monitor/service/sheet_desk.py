"""The daily sheets on the running daemon: read them, sign a day, review a month.

Each signed act asks for the password again (docs/RULES.md, R4), checks the role (a
technician or a supervisor signs, a supervisor reviews), checks the sheet may take it, and
appends one record to the month's ``sheets:<enclosure>:<YYYY-MM>`` stream (``monitor.sheets``).
A refusal records nothing. Reads run in a worker thread: a month of sheets is many records to
look through, and the loop has readings to journal meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, replace
from datetime import date, timedelta
from pathlib import Path

from config.equipment import Enclosure
from monitor.alarms import Priority
from monitor.api.requests import Credentials
from monitor.api.sheet_requests import SheetReviewRequest, SheetSignRequest
from monitor.clock import Clock
from monitor.errors import NotFound, Refused
from monitor.journal import JournalError, JournalReader
from monitor.journal.streams import sheets_stream
from monitor.service.pipeline import Pipeline
from monitor.sheets.days import (
    local_day,
    local_ns,
    local_text,
    next_month,
    parse_day,
    parse_month,
)
from monitor.sheets.model import (
    REVIEW_MEANING,
    REVIEWED,
    SIGN_MEANING,
    SIGNED,
    Act,
    DailySheet,
    MonthSheets,
    reviewed_fields,
    signed_fields,
)
from monitor.sheets.read import read_month, read_sheet
from monitor.sheets.views import Json, month_json, sheet_json, signer
from monitor.signature import Signature
from monitor.users import NotPermitted, Permission, User, UserStore

ALARM_PREFIX = "sheet:"
CORRECT = "a correction is a new one with its reason (--correct REASON)"


def alarm_key(enclosure: str, day: date) -> str:
    """``sheet:F1:2026-11-21``: the alarm of that sheet left unsigned."""
    return f"{ALARM_PREFIX}{enclosure}:{day.isoformat()}"


def parse_alarm_key(key: str) -> tuple[str, date] | None:
    enclosure, _, day = key.removeprefix(ALARM_PREFIX).rpartition(":")
    if not key.startswith(ALARM_PREFIX) or not enclosure:
        return None
    try:
        return enclosure, date.fromisoformat(day)
    except ValueError:
        return None


class SheetDesk:
    """What people ask of the daily sheets; ``signed_here`` lists what this run signed."""

    def __init__(self, pipeline: Pipeline, users: UserStore, clock: Clock) -> None:
        self.pipeline = pipeline
        self.settings = pipeline.settings
        self.journal = pipeline.journal
        self.desk = pipeline.desk
        self.users = users
        self.clock = clock
        self.zone = self.settings.site.timezone
        self.signed_here: set[tuple[str, date]] = set()
        # One signature at a time: between reading a sheet and signing it, nobody else may.
        self._lock = asyncio.Lock()

    # -- reads ------------------------------------------------------------------------------

    async def sheet(self, enclosure: str, day_text: str) -> Json:
        self.enclosure(enclosure)
        sheet = await self._read_sheet(enclosure, parse_day(day_text), fresh=False)
        return sheet_json(sheet) | {"month_review": _act(sheet.month_review)}

    async def month(self, enclosure: str, month_text: str) -> Json:
        self.enclosure(enclosure)
        month = await self._read_month(enclosure, parse_month(month_text), fresh=False)
        return month_json(month) | {"review_stands": month.review_stands()}

    def enclosure(self, enclosure: str) -> Enclosure:
        for e in self.settings.enclosures:
            if e.id == enclosure:
                return e
        known = ", ".join(e.id for e in self.settings.enclosures) or "none configured"
        raise NotFound(f"unknown enclosure {enclosure!r} (known: {known})")

    # -- signed acts ------------------------------------------------------------------------

    async def sign(self, enclosure: str, day_text: str, request: SheetSignRequest) -> Json:
        self.enclosure(enclosure)
        day = parse_day(day_text)
        why = "only technicians and supervisors sign the daily sheets"
        user = await self._sign_in(request, Permission.SIGN_SHEET, why)
        async with self._lock:
            sheet = await self._read_sheet(enclosure, day, fresh=True)
            now = self.clock.now_ns()
            replaces = self._signable(sheet, now, request.correct)
            signature = Signature(user.username, user.printed_name, SIGN_MEANING, request.comment)
            fields = signed_fields(sheet, signature, replaces, request.correct)
            stream = sheets_stream(enclosure, day.replace(day=1))
            with self.journal.together():
                record = self.journal.append_event(stream, SIGNED, fields, ts=now)
                self.signed_here.add((enclosure, day))
                self.clear_alarm(now, enclosure, day, user)
        signed = replace(sheet, signatures=(*sheet.signatures, Act.of(record)))
        return sheet_json(signed)

    async def review(self, enclosure: str, month_text: str, request: SheetReviewRequest) -> Json:
        self.enclosure(enclosure)
        month = parse_month(month_text)
        why = "only supervisors review the month's daily sheets"
        user = await self._sign_in(request, Permission.REVIEW, why)
        async with self._lock:
            sheets = await self._read_month(enclosure, month, fresh=True)
            now = self.clock.now_ns()
            replaces = self._reviewable(sheets, now, request.correct)
            signature = Signature(user.username, user.printed_name, REVIEW_MEANING, request.comment)
            fields = reviewed_fields(sheets, signature, replaces, request.correct)
            record = self.journal.append_event(sheets.stream, REVIEWED, fields, ts=now)
        reviewed = replace(sheets, reviews=(*sheets.reviews, Act.of(record)))
        return month_json(reviewed) | {"review_stands": True}

    def clear_alarm(self, now: int, enclosure: str, day: date, user: User | None = None) -> None:
        """The sheet is signed: its alarm, if raised, returns to normal, acknowledged by the
        signer, whose signature is the answer the alarm asked for."""
        key = alarm_key(enclosure, day)
        alarm = self.desk.manager.alarms.get(key)
        if alarm is None:
            return
        if user is not None and alarm.needs_ack:
            comment = f"daily sheet of {enclosure} for {day.isoformat()} signed"
            ack = Signature(user.username, user.printed_name, "acknowledged", comment)
            self.desk.acknowledge(now, key, ack)
        message = f"daily sheet of {enclosure} for {day.isoformat()} signed"
        self.desk.condition(now, key, False, enclosure, Priority.LOW, message)

    # -- rules ------------------------------------------------------------------------------

    def _signable(self, sheet: DailySheet, now: int, correct: str) -> Act | None:
        """The signature a correction replaces, or None; ``Refused`` if it may not be signed."""
        what = f"the daily sheet of {sheet.enclosure} for {sheet.day.isoformat()}"
        if not sheet.closed:
            if sheet.day >= local_day(now, self.zone) or sheet.recorded:
                midnight = local_ns(sheet.day + timedelta(days=1), 0, self.zone)
                closes = local_text(midnight, self.zone)
                raise Refused(f"{what} is not closed yet: the day closes at local midnight "
                              f"({closes} {self.zone}); sign it then")  # fmt: skip
            raise NotFound(f"no daily sheet of {sheet.enclosure} for {sheet.day.isoformat()}: "
                           "the journal holds no record of that day")  # fmt: skip
        standing = sheet.signature
        if standing is not None and not correct:
            raise Refused(f"{what} is already signed by {signer(standing, self.zone)}: a sheet "
                          f"is signed once; {CORRECT}")  # fmt: skip
        if standing is None and correct:
            raise Refused(f"nothing to correct: {what} is not signed yet")
        return standing if correct else None

    def _reviewable(self, month: MonthSheets, now: int, correct: str) -> Act | None:
        label = f"{month.month:%Y-%m}"
        after = next_month(month.month)
        if local_day(now, self.zone) < after:
            raise Refused(f"the month {label} is not over: its sheets are reviewed from "
                          f"{after.isoformat()} on")  # fmt: skip
        if not month.sheets:
            raise NotFound(f"no daily sheet of {month.enclosure} in {label}")
        waiting = [s.day.isoformat() for s in month.sheets if not s.closed]
        if waiting:
            raise Refused(f"the sheets of {month.enclosure} for {', '.join(waiting)} are not "
                          "closed yet: try again in a minute")  # fmt: skip
        unsigned = [s.day.isoformat() for s in month.unsigned()]
        if unsigned:
            raise Refused(f"{len(unsigned)} sheet(s) of {month.enclosure} for {label} not signed "
                          f"({', '.join(unsigned)}): each is signed before the month is "
                          "reviewed")  # fmt: skip
        standing = month.review
        if standing is not None and not correct:
            raise Refused(f"the sheets of {month.enclosure} for {label} are already reviewed by "
                          f"{signer(standing, self.zone)}: a month is reviewed once; "
                          f"{CORRECT}")  # fmt: skip
        if standing is None and correct:
            raise Refused(f"nothing to correct: {label} of {month.enclosure} is not reviewed yet")
        return standing if correct else None

    # -- internals --------------------------------------------------------------------------

    async def _sign_in(self, credentials: Credentials, permission: Permission, why: str) -> User:
        """As ``ServiceFacade._sign_in``: the clock is read after the password check."""
        password = credentials.password.get_secret_value()
        now = self.clock.now_ns()
        try:
            return await self.users.authorise_off_loop(now, credentials.user, password, permission)
        except NotPermitted as exc:
            raise NotPermitted(f"{exc}: {why}") from None

    async def _read_sheet(self, enclosure: str, day: date, fresh: bool) -> DailySheet:
        path = self._committed(fresh)
        return await asyncio.to_thread(_sheet_in, path, enclosure, day)

    async def _read_month(self, enclosure: str, month: date, fresh: bool) -> MonthSheets:
        path = self._committed(fresh)
        return await asyncio.to_thread(_month_in, path, enclosure, month)

    def _committed(self, fresh: bool) -> Path:
        """The journal's path once what waits is committed; a signature must see every
        record before it, so a journal that cannot commit now refuses it."""
        try:
            self.journal.flush()
        except JournalError as exc:
            if fresh:
                raise Refused(
                    f"the journal cannot store records now ({exc}): try again later"
                ) from None
        return self.journal.path


def _sheet_in(path: Path, enclosure: str, day: date) -> DailySheet:
    try:
        with JournalReader(path) as reader:
            return read_sheet(reader, enclosure, day)
    except JournalError as exc:
        raise Refused(f"the journal cannot be read now ({exc})") from None


def _month_in(path: Path, enclosure: str, month: date) -> MonthSheets:
    try:
        with JournalReader(path) as reader:
            return read_month(reader, enclosure, month)
    except JournalError as exc:
        raise Refused(f"the journal cannot be read now ({exc})") from None


def _act(act: Act | None) -> Json | None:
    return asdict(act) if act else None
