"""The unsigned sheets' alarms: raised at the configured hour, cleared by the signature.

The journal holds closed days written as the daemon writes them; the clock is put at the
hours that matter and the watch looks once each time, as it does each minute in the daemon.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from monitor.alarms import AlarmState, Priority
from monitor.service.sheet_desk import SheetDesk
from monitor.service.sheet_watch import SheetWatch
from monitor.sheets.days import local_ns
from tests.monitor.service.sheet_lab import sheet_lab
from tests.monitor.sheets.month_journal import ZONE, Day

D19, D09 = date(2026, 11, 19), date(2026, 11, 9)
KEY, OLD_KEY = "sheet:F1:2026-11-19", "sheet:F1:2026-11-09"
DAYS = [("F1", Day(D19, 2.0, 3.9, 3.0)), ("F1", Day(D09, 2.2, 3.8, 3.1))]


def at(day: int, hour: int, minute: int = 0) -> int:
    return local_ns(date(2026, 11, day), hour * 60 + minute, ZONE)


async def test_an_unsigned_sheet_alarms_at_the_hour_and_its_signature_clears_it(
    tmp_path: Path,
) -> None:
    async with sheet_lab(tmp_path, at(20, 9, 59), DAYS, unsigned_alarm_at="10:00") as lab:
        alarms = lab.desk.manager.alarms
        await lab.watch.check()
        assert not alarms, "alarmed before 10:00"
        lab.clock.now = at(20, 10)
        await lab.watch.check()
        # 9 November is past the 7 days looked back: never alarmed; F2 and Z1 have no record.
        assert set(alarms) == {KEY}
        alarm = alarms[KEY]
        assert (alarm.priority, alarm.state, alarm.source) == (
            Priority.LOW, AlarmState.UNACKED, "F1")  # fmt: skip
        assert alarm.message == (
            "daily sheet of F1 for 2026-11-19 not signed (due by 2026-11-20 10:00 Europe/Paris)"
        )
        lab.clock.now = at(20, 11)
        await lab.sheets.sign("F1", "2026-11-19", lab.signing())
        assert (alarm.state, alarm.condition_active) == (AlarmState.NORMAL, False)
        assert alarm.acked_by is not None
        assert alarm.acked_by.user == "anne"
        lab.clock.now = at(20, 11, 1)
        await lab.watch.check()
        assert alarm.state is AlarmState.NORMAL
        # A restarted daemon reads the signature from the journal: no alarm again.
        lab.journal.flush()
        fresh = SheetWatch(SheetDesk(lab.sheets.pipeline, lab.users, lab.clock), lab.clock)
        assert ("F1", D19) in fresh.due(lab.clock.now)
        await fresh.check()
        assert fresh.known_signed == {("F1", D19)}
        assert alarm.state is AlarmState.NORMAL


async def test_an_alarm_older_than_the_lookback_stays_until_signed(tmp_path: Path) -> None:
    async with sheet_lab(tmp_path, at(20, 12), DAYS, alarm_lookback_days=3) as lab:
        # Raised by an earlier run, restored from the journal.
        lab.desk.condition(at(10, 10), OLD_KEY, True, "F1", Priority.LOW, "not signed")
        await lab.watch.check()
        alarms = lab.desk.manager.alarms
        assert alarms[OLD_KEY].condition_active
        assert alarms[KEY].condition_active
        await lab.sheets.sign("F1", "2026-11-09", lab.signing("sophie"))
        assert not alarms[OLD_KEY].condition_active
        await lab.watch.check()
        assert not alarms[OLD_KEY].condition_active


async def test_a_signature_made_while_the_journal_was_read_wins(tmp_path: Path) -> None:
    async with sheet_lab(tmp_path, at(20, 12), DAYS) as lab:
        lab.sheets.signed_here.add(("F1", D19))  # signed between the read and its answer
        await lab.watch.check()
        assert KEY not in lab.desk.manager.alarms
