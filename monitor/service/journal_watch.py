"""The journal integrity watch: the daemon notices when its journal leaves its path.

Every ``CHECK_S`` of real time the watch asks the writer whether the path still names the
file it opened (``JournalFile.problem``: device and inode at the path against those of the
open file, the open file's link count, and its write-ahead log still the one it writes). A
journal deleted, moved away or replaced is a HIGH ``journal:integrity`` alarm, raised as soon
as what the open file holds has been saved beside the path with SQLite's online backup
(``Journal.rescue``): the alarm's text says where, and its record goes into that copy like
every alarm's.

What happens next: the writer carries on in the rescued copy. The other way, writing on into
the deleted file and copying it again at the stop, keeps the InfluxDB outbox and the MQTT
chain heads fed until then, but a deleted file lives only as long as the process: a crash or
a power cut would take every record made since the copy, and bounding that loss would mean
copying the whole journal again and again. Carried on in the copy, the record is under a name
on disk again, as safe as before. The price: the outbox and the head publisher read through
connections opened at the start, which still see the deleted file, so both stand still until
the stop, whose last delivery and the next start catch up from their marks (written to the
copy). The alarm stays active for the rest of the run, since the configured path does not
hold the journal: the copy must be put back at the path (or the settings pointed at it)
before the next start, which then clears it.

A file found at the path is never opened or written: it is not the one this daemon opened.
When the copy cannot be made (no room, the folder gone) the alarm says so, the writer goes on
in the open file, the watch tries again at every check, and ``Journal.close`` tries once more
at the stop.
"""

from __future__ import annotations

import logging

from monitor.alarms import Priority
from monitor.clock import Clock, sleep_to_beat
from monitor.journal import Journal, JournalError
from monitor.service.alarm_desk import AlarmDesk

log = logging.getLogger(__name__)

INTEGRITY_KEY = "journal:integrity"
SOURCE = "journal"
CHECK_S = 2.0  # real time: a deletion is alarmed within one check and one copy


class JournalWatch:
    """Checks the journal's file, rescues it and raises ``journal:integrity``; ``run`` forever."""

    def __init__(
        self, journal: Journal, desk: AlarmDesk, clock: Clock, check_s: float = CHECK_S
    ) -> None:
        self.journal, self.desk, self.clock, self.check_s = journal, desk, clock, check_s
        self.rescued: list[str] = []  # the copies made this run, oldest first
        # Restored from the record: active after a rescue until a start finds the file in place.
        self.alarmed = desk.is_active(INTEGRITY_KEY)
        self._message = ""

    async def run(self) -> None:
        while True:
            self.check()
            await sleep_to_beat(self.check_s)

    def check(self) -> None:
        """One look at the file; a problem is rescued and alarmed, a restored alarm cleared."""
        problem = self.journal.file.problem()
        if problem is None:
            if self.alarmed and not self.rescued:
                self._condition(False, f"the journal {self.journal.path} is in place")
            return
        lost = self.journal.path
        home = self.journal.file.configured_path
        try:
            copy = self.journal.rescue()
        except JournalError as exc:
            message = (
                f"the journal {lost} was {problem}; saving what it holds failed ({exc}): "
                "recording goes on in the open file, saved again at every check and at the stop"
            )
        else:
            self.rescued.append(str(copy))
            message = (
                f"the journal {lost} was {problem}; everything it held is saved in {copy}, "
                f"where recording goes on: put that file back at {home} before the next start"
            )
        self._condition(True, message)

    def _condition(self, active: bool, message: str) -> None:
        if message != self._message:
            (log.error if active else log.info)("%s", message)
            self._message = message
        self.alarmed = active
        now = self.clock.now_ns()
        self.desk.condition(now, INTEGRITY_KEY, active, SOURCE, Priority.HIGH, message)
