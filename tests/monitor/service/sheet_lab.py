"""The daemon's sheet desk and watch on a journal of closed days, on a clock the test moves.

The pipeline, alarm desk, users and sheet desk are the daemon's own, without drivers: the
days are written beforehand as the daemon writes them (``tests/monitor/sheets/month_journal``),
so a test puts the clock at any hour of any day. ``Lab.serve`` adds the real HTTP API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from pydantic import SecretStr

from config.service import WebSettings
from monitor.alarms import AlarmManager
from monitor.api.server import ApiServer
from monitor.api.sheet_requests import SheetSignRequest
from monitor.journal import Journal
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.alarm_policy import alarm_policy
from monitor.service.clock_sync import ClockSync
from monitor.service.evaluators import Evaluators
from monitor.service.facade import ServiceFacade
from monitor.service.pipeline import Pipeline
from monitor.service.sheet_desk import SheetDesk
from monitor.service.sheet_watch import SheetWatch
from monitor.users import Role, UserStore
from tests.fixtures.api_token import READ_TOKEN
from tests.monitor.journal.samples import device_key
from tests.monitor.service.quiet_daemon import PW, quiet_lab
from tests.monitor.sheets.month_journal import Day, SetClock, close_day

PEOPLE = {
    "anne": ("Anne Martin", Role.TECHNICIAN),
    "sophie": ("Dr Sophie Bernard", Role.SUPERVISOR),
    "ines": ("Inès Roux", Role.INSPECTOR),
}


@dataclass
class Lab:
    clock: SetClock
    journal: Journal
    desk: AlarmDesk
    sheets: SheetDesk
    watch: SheetWatch
    users: UserStore

    def signing(self, user: str = "anne") -> SheetSignRequest:
        return SheetSignRequest.model_validate({"user": user, "password": PW})

    @asynccontextmanager
    async def serve(self) -> AsyncIterator[str]:
        """The API in front of the daemon's facade; yields its URL."""
        facade = ServiceFacade(self.sheets.pipeline, self.users, self.clock, ClockSync(False))
        facade.sheets = self.sheets
        web = WebSettings(host="127.0.0.1", port=0, read_token=SecretStr(READ_TOKEN))
        server = ApiServer(web, facade)
        await server.start()
        try:
            yield server.url
        finally:
            await server.stop()


@asynccontextmanager
async def sheet_lab(
    tmp: Path, now: int, days: Sequence[tuple[str, Day]], **sheets: object
) -> AsyncIterator[Lab]:
    settings = quiet_lab(tmp, sheets=dict(sheets))
    clock = SetClock(now)
    journal = Journal(settings.journal.path, device_key(), clock)
    for enclosure, day in days:
        close_day(journal, enclosure, day)
    journal.flush()
    desk = AlarmDesk(AlarmManager(alarm_policy(settings)), journal, lambda note: None)
    pipeline = Pipeline(settings, journal, desk, Evaluators(settings, now))
    users = UserStore(tmp / "users.sqlite", PasswordHasher(time_cost=1, memory_cost=8,
                                                           parallelism=1))  # fmt: skip
    for name, (printed, role) in PEOPLE.items():
        users.add(0, name, printed, role, PW, by="test")
    sheets_desk = SheetDesk(pipeline, users, clock)
    try:
        yield Lab(clock, journal, desk, sheets_desk, SheetWatch(sheets_desk, clock), users)
    finally:
        journal.close()
        users.close()
