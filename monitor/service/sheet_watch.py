"""Unsigned daily sheets become alarms: ``sheet:<enclosure>:<day>``, low priority.

Each minute of the daemon's clock, every closed sheet of the last ``sheets.alarm_lookback_days``
days whose time has come (``sheets.unsigned_alarm_at`` of the next day, local time) and
that nobody signed raises its alarm (docs/RULES.md, Cold chain, C10). Signing clears it
(``SheetDesk.clear_alarm``); an alarm raised earlier, restored after a restart, is looked at
too, whatever its age, so it clears once its sheet is signed.

The journal is read in a worker thread and only for sheets not yet known to be signed, so a
quiet month costs nothing. What the thread found is acted on back on the loop, where a
signature made meanwhile (``SheetDesk.signed_here``) wins over what the thread read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import date, timedelta
from enum import Enum
from pathlib import Path

from monitor.alarms import Priority
from monitor.clock import Clock
from monitor.journal import JournalError, JournalReader
from monitor.journal.streams import enclosure_day_stream, sheets_stream
from monitor.service.sheet_desk import ALARM_PREFIX, SheetDesk, alarm_key, parse_alarm_key
from monitor.sheets.days import alarm_due_ns, local_day, local_text
from monitor.sheets.model import SIGNED, SUMMARISED, text

log = logging.getLogger(__name__)
CHECK_EVERY_S = 60.0
Sheet = tuple[str, date]


class Found(Enum):
    """What the journal says of a sheet whose alarm time has come."""

    OPEN = "open"  # no closing record (yet, or ever: a day nothing recorded)
    UNSIGNED = "unsigned"
    SIGNED = "signed"


class SheetWatch:
    """The daemon component that raises and clears the unsigned sheets' alarms."""

    def __init__(self, sheets: SheetDesk, clock: Clock, every_s: float = CHECK_EVERY_S) -> None:
        self.sheets = sheets
        self.clock = clock
        self.every_s = every_s
        self.config = sheets.settings.sheets
        self.zone = sheets.zone
        self.known_signed: set[Sheet] = set()

    async def run(self) -> None:
        while True:
            await self.check()
            await self.clock.sleep(self.every_s)

    async def check(self) -> None:
        """One look: raise the alarms now due, clear those whose sheets are signed."""
        due = self.due(self.clock.now_ns())
        if not due:
            return
        path = self.sheets.journal.path
        try:
            found = await asyncio.to_thread(look_up, path, due)
        except JournalError as exc:  # the next minute tries again; journal_watch alarms it
            log.warning("unsigned sheets not checked: %s", exc)
            return
        now = self.clock.now_ns()
        for (enclosure, day), state in found.items():
            if state is Found.SIGNED or (enclosure, day) in self.sheets.signed_here:
                self.known_signed.add((enclosure, day))
                self.sheets.clear_alarm(now, enclosure, day)
            elif state is Found.UNSIGNED:
                self._raise(now, enclosure, day)

    def due(self, now: int) -> list[Sheet]:
        """The sheets to look up: closed days of the lookback whose alarm time has come, and
        those already alarmed, but for the ones known to be signed."""
        minutes, today = self.config.alarm_minutes, local_day(now, self.zone)
        first = today - timedelta(days=self.config.alarm_lookback_days)
        self.known_signed = {s for s in self.known_signed if s[1] >= first}
        days = [first + timedelta(days=i) for i in range((today - first).days)]
        wanted = {(e.id, d) for e in self.sheets.settings.enclosures for d in days
                  if alarm_due_ns(d, minutes, self.zone) <= now}  # fmt: skip
        for key, alarm in self.sheets.desk.manager.alarms.items():
            sheet = parse_alarm_key(key) if key.startswith(ALARM_PREFIX) else None
            if sheet is not None and alarm.condition_active:
                wanted.add(sheet)
        skip = self.known_signed | self.sheets.signed_here
        return sorted(wanted - skip)

    def _raise(self, now: int, enclosure: str, day: date) -> None:
        due = alarm_due_ns(day, self.config.alarm_minutes, self.zone)
        message = (f"daily sheet of {enclosure} for {day.isoformat()} not signed (due by "
                   f"{local_text(due, self.zone)} {self.zone})")  # fmt: skip
        key = alarm_key(enclosure, day)
        self.sheets.desk.condition(now, key, True, enclosure, Priority.LOW, message)


def look_up(path: Path, sheets: Iterable[Sheet]) -> dict[Sheet, Found]:
    """What the journal at ``path`` says of each sheet (run in a worker thread)."""
    found: dict[Sheet, Found] = {}
    signed: dict[Sheet, set[str]] = {}
    with JournalReader(path) as reader, reader.snapshot():
        for enclosure, day in sheets:
            try:
                found[(enclosure, day)] = _state(reader, signed, enclosure, day)
            except ValueError:  # an alarm key naming no enclosure a stream can have
                found[(enclosure, day)] = Found.OPEN
    return found


def _state(
    reader: JournalReader, signed: dict[Sheet, set[str]], enclosure: str, day: date
) -> Found:
    month = (enclosure, day.replace(day=1))
    if month not in signed:
        records = reader.stream_records(sheets_stream(*month))
        signed[month] = {text(r.fields, "day") for r in records if r.kind == SIGNED}
    if day.isoformat() in signed[month]:
        return Found.SIGNED
    if reader.last_of_kind(enclosure_day_stream(enclosure, day), SUMMARISED) is None:
        return Found.OPEN
    return Found.UNSIGNED
