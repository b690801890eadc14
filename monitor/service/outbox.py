"""The outbox: journal rows not yet in InfluxDB go out in batches, however long it is away.

The journal is the record of truth and InfluxDB a copy. The outbox reads committed rows after
the sink's mark (``Journal.outbox``), writes them in batches, and moves the mark only once
InfluxDB has taken them, so a restart or an outage resumes where it stopped. A batch that
failed half way is sent again whole: writes are idempotent (monitor/influx/README.md, "Point
identity"), so a replay counts nothing twice. Failures back off exponentially up to a cap;
the rows wait in the journal meanwhile.

The backlog (rows pending, age of the oldest) is in ``lactamon status``. Above
``backlog_alarm_rows`` rows or ``backlog_alarm_age_s`` of age, or while InfluxDB refuses the
writes for a reason retrying will not cure (credentials, a missing database), the
``outbox:influxdb`` condition is active and an ``outbox_backlog`` event is recorded.

A record InfluxDB will never take (refused as such, HTTP 400, or with no faithful point) is
found by halving the batch, left in the journal only with an ``outbox_skipped`` event, and
the records after it go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

from config.service import InfluxSettings
from drivers.backoff import Backoff
from monitor.clock import NS_PER_S, Clock
from monitor.influx.errors import FailureKind, InfluxWriteError
from monitor.influx.tags import CYCLE_LINKED, CYCLE_STARTED, StreamLots
from monitor.influx.writer import InfluxWriter
from monitor.journal import DEVICE_STREAM, Journal, JournalClosedError, JournalReader, Record
from monitor.journal.readings import READING
from monitor.journal.record import FieldValue
from monitor.journal.streams import StreamKind, stream_prefix

log = logging.getLogger(__name__)

SINK = "influxdb"
ALARM_KEY = "outbox:influxdb"
SKIPPED = "outbox_skipped"
FIRST_READING_POLL_S = 0.2
# Failures of one record, not of the server: retrying the same record fails the same way.
_RECORD_FAULTS = frozenset({FailureKind.SCHEMA, FailureKind.REJECTED, FailureKind.TOO_LARGE})
# ``condition(now_ns, active, message)``: the daemon turns it into the outbox alarm.
Condition = Callable[[int, bool, str], None]


class InfluxOutbox:
    """Delivers the journal to ``writer``; ``run`` until cancelled, ``drain`` at the end."""

    def __init__(
        self,
        journal: Journal,
        writer: InfluxWriter,
        settings: InfluxSettings,
        clock: Clock,
        lots: StreamLots,
        condition: Condition | None = None,
    ) -> None:
        self.journal, self.writer, self.settings = journal, writer, settings
        self.clock, self.lots = clock, lots
        self._condition = condition
        self._backoff = Backoff(settings.backoff.initial_s, settings.backoff.max_s)
        self._reader: JournalReader | None = None
        self.sent_up_to = journal.outbox.sent_up_to(SINK)
        self.delivered = 0  # records written since the daemon started
        self.reading_out = False  # whether a reading was among them
        self.failures = 0
        self.skipped = 0  # records InfluxDB would not take: in the journal only
        self.last_error: str | None = None
        self.refused: str | None = None  # a failure retrying cannot cure
        self.pending = 0
        self.oldest_ts: int | None = None
        self.alarmed = False

    # -- the task ---------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            self._open()
            while True:
                try:
                    await self.deliver_available()
                    delay = self.settings.flush_interval_s
                    if not self.reading_out:
                        # Until a reading is out, look often: the first reading after a start
                        # is in InfluxDB within a second or two, not a flush interval later.
                        delay = min(delay, FIRST_READING_POLL_S)
                except InfluxWriteError as exc:
                    self._failed(exc)
                    delay = self._backoff.next_delay()
                self.check_backlog()
                # Real time: delivery is paced by the network and InfluxDB, not by the
                # simulation speed.
                await asyncio.sleep(delay)
        finally:
            self._close_reader()

    async def drain(self, timeout_s: float) -> None:
        """Deliver what the journal holds now (its closing records too), for at most
        ``timeout_s``; what is left waits for the next start."""
        try:
            self._open()
            await asyncio.wait_for(self.deliver_available(), timeout_s)
        except (InfluxWriteError, TimeoutError) as exc:
            log.warning("InfluxDB: %d rows left for the next start (%s)", self.pending, exc)
        finally:
            self._close_reader()
            await self.writer.close()

    # -- delivering -------------------------------------------------------------------------

    async def deliver_available(self) -> int:
        """Write every committed row after the mark, batch by batch; the number written."""
        reader = self._open()
        total = 0
        while True:
            with reader.snapshot():
                batch, up_to = reader.scan_after(self.sent_up_to, self.settings.batch_size)
                top = reader.last_row_id()
            records = [record for _, record in batch]
            for record in records:
                self.lots.learn(record)
            if records:
                await self._write(records)
                self.reading_out = self.reading_out or any(r.kind == READING for r in records)
            if up_to != self.sent_up_to:
                self.journal.outbox.mark_sent(SINK, up_to)
                self.sent_up_to = up_to
            total += len(records)
            self.delivered += len(records)
            if self.refused is not None or self.failures:
                log.info("InfluxDB takes writes again")
            self._backoff.reset()
            self.failures, self.last_error, self.refused = 0, None, None
            if up_to >= top:
                return total
            await asyncio.sleep(0)  # a long backlog must not hold up the readings

    async def _write(self, records: Sequence[Record]) -> None:
        try:
            await self.writer.write(records)
        except InfluxWriteError as exc:
            if exc.kind not in _RECORD_FAULTS:
                raise
            # A record InfluxDB will never take must not hold back every record after it:
            # halve until it is found, send the others, and leave it in the journal only.
            if len(records) == 1:
                self._skipped(records[0], exc.message)
                return
            middle = len(records) // 2
            await self._write(records[:middle])
            await self._write(records[middle:])

    def _skipped(self, record: Record, reason: str) -> None:
        self.skipped += 1
        log.error("%s stays in the journal only: %s", record.location, reason)
        if record.kind == SKIPPED:
            return  # one event per skipped record, not one per skipped event
        fields: dict[str, FieldValue] = {
            "sink": SINK,
            "record_stream": record.stream,
            "record_seq": record.seq,
            "reason": reason,
        }
        with suppress(JournalClosedError):  # at the final drain the log line is what is left
            self.journal.append_event(DEVICE_STREAM, SKIPPED, fields)

    def _failed(self, exc: InfluxWriteError) -> None:
        if not self.failures:
            log.warning("InfluxDB write failed, rows wait in the journal: %s", exc.message)
        self.failures += 1
        self.last_error = exc.message
        self.refused = None if exc.retryable else exc.message

    # -- the backlog ------------------------------------------------------------------------

    def check_backlog(self) -> None:
        """Count what waits, and raise or clear the outbox condition."""
        reader = self._open()
        with reader.snapshot():
            self.pending, self.oldest_ts = reader.rows_after(self.sent_up_to)
        now = self.clock.now_ns()
        age_s = self._age_s(now)
        problems = []
        if self.pending >= self.settings.backlog_alarm_rows:
            problems.append(f"{self.pending} rows wait for InfluxDB")
        if age_s is not None and age_s >= self.settings.backlog_alarm_age_s:
            problems.append(f"the oldest undelivered row is {age_s / 60:.0f} min old")
        if self.refused is not None:
            problems.append(f"InfluxDB refuses the writes: {self.refused}")
        active = bool(problems)
        if active == self.alarmed:
            return
        self.alarmed = active
        message = "; ".join(problems) if active else "InfluxDB has caught up"
        fields: dict[str, FieldValue] = {"sink": SINK, "pending": self.pending, "reason": message}
        kind = "outbox_backlog" if active else "outbox_caught_up"
        self.journal.append_event(DEVICE_STREAM, kind, fields, ts=now)
        (log.warning if active else log.info)("outbox: %s", message)
        if self._condition is not None:
            self._condition(now, active, message)

    def backlog(self) -> dict[str, Any]:
        """What ``lactamon status`` shows of the outbox."""
        age_s = self._age_s(self.clock.now_ns())
        return {
            "sink": SINK,
            "url": self.settings.url,
            "pending": self.pending,
            "oldest_age_s": None if age_s is None else round(age_s, 1),
            "sent_up_to": self.sent_up_to,
            "delivered": self.delivered,
            "failures": self.failures,
            "skipped": self.skipped,
            "last_error": self.last_error,
            "alarm": self.alarmed,
        }

    def _age_s(self, now_ns: int) -> float | None:
        if not self.pending or self.oldest_ts is None:
            return None
        return max(0.0, (now_ns - self.oldest_ts) / NS_PER_S)

    # -- the journal ------------------------------------------------------------------------

    def _open(self) -> JournalReader:
        if self._reader is None:
            self._reader = JournalReader(self.journal.path)
            self._seed_lots(self._reader)
        return self._reader

    def _seed_lots(self, reader: JournalReader) -> None:
        """The lots of streams delivered from their middle come from records already sent."""
        with reader.snapshot():
            for record in reader.records_of_kind(CYCLE_STARTED, stream_prefix(StreamKind.CYCLE)):
                self.lots.learn(record)
            for record in reader.records_of_kind(CYCLE_LINKED, stream_prefix(StreamKind.LOT)):
                self.lots.learn(record)

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
