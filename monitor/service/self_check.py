"""The journal's self-check: damage found when the writer opened it, then the whole record
read again, continuously.

When the writer opens the journal it checks what it had not signed yet, and what was stored
after the last clean close (``journal.stream_book``), and notes what it finds in
``stream_damaged`` records; this component raises ``journal:integrity`` for it as soon as it
runs, and again for damage the writer finds later, when it takes an older stream back. Then it
re-reads the whole journal in row order, ``RECORDS_PER_S`` records a second, forever
(``journal.recheck``): damage made in the file while the daemon runs, or long ago in records
signed since, is found within one pass, noted in ``device`` (``Journal.note_damage``) and
raised. Damage the journal already notes, from this run or an earlier one, is not raised
again. The progress is in ``Journal.recheck``, which ``lactamon status`` shows; where the pass
stands is kept beside the journal (``recheck_position``), so a restart goes on from there.

The rate: the example lab records some 220,000 readings a day (README, Sizing), 80 million
a year. At 50 records a second, 20 times as fast as the lab writes, a pass over a year of
records takes 19 days, over three years 8 weeks. A record costs some 9 µs to re-check here
(read, decoded, hashed into its chain), so the re-check takes 0.03 s of CPU a minute: it was
100 a second, two thirds of the daemon's whole CPU at the lab's load. Steps of 250 records
every 5 s cost a fifth less than 50 every second (the reads and the transaction of a step),
and the writer's own findings are still raised within 5 s.

The alarm is HIGH, source ``journal``, raised and returned at once, like an unclean restart's:
the damage is a fact of the past, on record in its note, and the alarm waits for an
acknowledgement, which only a supervisor may give (``alarms.model.supervisor_acknowledges``).
While the journal watch holds the same alarm active (the file left its path), a finding is
noted and shown in the status, not raised over that alarm's text.
"""

from __future__ import annotations

import contextlib
import logging
import time

from monitor.alarms import Priority
from monitor.clock import Clock, sleep_to_beat
from monitor.journal import DEVICE_STREAM, Journal, JournalError, JournalReader
from monitor.journal.recheck import Damage, Recheck
from monitor.journal.session_findings import DAMAGED
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.journal_watch import INTEGRITY_KEY, SOURCE
from monitor.service.recheck_position import RecheckPosition

log = logging.getLogger(__name__)

RECORDS_PER_S = 50.0
# Where the pass stands is kept beside the journal this often (real time): a Pi restarted
# twice a month must still finish a pass of several weeks. Rarely, for the SD card's sake:
# a restart re-reads at most that much again.
SAVE_S = 600.0
STEP_S = 5.0  # real time between two steps of the re-check
KEPT_FINDINGS = 20  # the latest findings shown in the status
# Damage noted and raised per pass at most: a file damaged wholesale (a bad card) must not
# flood the journal with notes or people with alarms; the rest is noted by the next passes.
NOTES_PER_PASS = 50
Noted = tuple[str, int, int, str]  # (stream, first seq, last seq, problem) of a damage note


class SelfCheck:
    """Raises what the writer found, then re-checks the journal; ``run`` forever."""

    def __init__(
        self,
        journal: Journal,
        desk: AlarmDesk,
        clock: Clock,
        records_per_s: float | None = None,
        step_s: float = STEP_S,
    ) -> None:
        self.journal, self.desk, self.clock, self.step_s = journal, desk, clock, step_s
        self.records_per_s = RECORDS_PER_S if records_per_s is None else records_per_s
        self.progress = journal.recheck
        self._raised: set[str] = set()  # the streams of the writer's findings raised already
        self._noted: list[Noted] = []
        self._errors: set[str] = set()
        self._recheck: Recheck | None = None
        self._pass, self._pass_notes = -1, 0  # the pass noting, and how much it noted
        self.position = RecheckPosition(journal.path)
        self._saved_at = time.monotonic()

    async def run(self) -> None:
        self.start()
        try:
            while True:
                await sleep_to_beat(self.step_s)
                self.step()
                if time.monotonic() - self._saved_at >= SAVE_S:
                    self.save()
        finally:
            self.save()
            if self._recheck is not None:
                self._recheck.close()

    def save(self) -> None:
        """Keep where the pass stands, for the next start."""
        self._saved_at = time.monotonic()
        if self._recheck is not None:
            self.position.save(self._recheck.row, self.progress)

    def start(self) -> None:
        """Raise what the writer found when it opened the journal; read the damage noted."""
        self.progress.records_per_s = self.records_per_s
        self._writer_findings()
        with contextlib.suppress(JournalError):  # a full disk: the committer alarms it
            self.journal.flush()
        try:
            with JournalReader(self.journal.path) as reader:
                notes = reader.records_of_kind(DAMAGED, DEVICE_STREAM)
            keys = {self.journal.key.key_id: self.journal.key.public}
            start_row = self.position.load(self.progress)
            self._recheck = Recheck(self.journal.path, keys, self.progress, start_row)
        except JournalError as exc:
            self._cannot_read(exc)
            return
        for note in notes:
            f = note.fields
            first, last = f.get("first_seq"), f.get("last_seq")
            if type(first) is int and type(last) is int:
                self._noted.append((str(f.get("stream")), first, last, str(f.get("problem"))))

    def step(self) -> None:
        """One step: the writer's new findings, then the next rows of the re-check."""
        self._writer_findings()
        recheck = self._recheck
        if recheck is None:
            self.start()
            return
        limit = max(1, int(self.records_per_s * self.step_s))
        if self._pass != self.progress.passes_completed:
            self._pass, self._pass_notes = self.progress.passes_completed, 0
        try:
            if recheck.path != self.journal.path:
                recheck.reopen(self.journal.path)  # carried on in a rescued copy
            found = recheck.step(limit, self.clock.now_ns())
        except JournalError as exc:
            self._cannot_read(exc)
            return
        self.progress.error = None
        new = [(d.stream, d.seq, d.seq, d.problem) for d in found if not self._known(d)]
        new = new[: NOTES_PER_PASS - self._pass_notes]
        if not new:
            return
        try:
            self.journal.note_damage(*new)
            if not self._pass_notes:  # once a pass: each finding is on record in its note
                self._raise([problem for *_, problem in new], "found by the continuous re-check")
        except JournalError as exc:  # not on record: found again by the next pass
            log.error("journal damage found, not recorded (%s): %s", exc, new[0][3])
            return
        self._pass_notes += len(new)
        self._noted += new
        self.progress.found = [*self.progress.found, *(problem for *_, problem in new)]
        del self.progress.found[:-KEPT_FINDINGS]

    def _known(self, damage: Damage) -> bool:
        return any(
            stream == damage.stream and first <= damage.seq <= last
            for stream, first, last, _ in self._noted
        )

    def _writer_findings(self) -> None:
        found = {s: p for s, p in self.journal.damaged_streams.items() if s not in self._raised}
        if found:
            self._raised.update(found)
            self._raise(list(found.values()), "found by the writer in what it had not signed")

    def _cannot_read(self, exc: JournalError) -> None:
        self.progress.error = str(exc)
        if str(exc) not in self._errors:
            self._errors.add(str(exc))
            self._raise([str(exc)], "suspected, the re-check cannot read the journal")

    def _raise(self, problems: list[str], by: str) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        message = f"journal damage {by}: {problems[0]}{more}; run lactamon verify"
        log.error("%s", message)
        if self.desk.is_active(INTEGRITY_KEY):
            return  # the journal watch holds it: its text says where the journal is
        self.desk.pulse(self.clock.now_ns(), INTEGRITY_KEY, SOURCE, Priority.HIGH, message)
