"""The serial ASCII driver: one reader per ``[[serial]]`` line, feeding the probes on that line.

The reader opens the port, drops what was buffered before it listened (old lines must not be
stamped as fresh), cuts the stream into lines, and hands each field to its probes as a
``Reading`` stamped when the line's terminator arrived. Garbage is counted and logged
(rate-limited) and never stops the reader. When the port disappears (USB unplugged, simulator
stopped) or stays silent for the line's ``silence_s``, it is closed and reopened with a
capped exponential backoff; the line's probes are then unavailable until data flows again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import serial
import serial_asyncio_fast

from config.links import SerialLine
from config.probe_limits import ProbeLimits
from config.probes import Probe, SerialSource
from drivers.availability import AvailabilityTracker
from drivers.backoff import Backoff
from drivers.line_format import LINE_TOO_LONG, LineParser
from drivers.qualify import ReadingQualifier
from drivers.reject_log import RejectLog
from drivers.serial_line_framing import LineAssembler, Overlong
from drivers.sink import ReadingSink
from monitor.clock import Clock

log = logging.getLogger(__name__)

_READ_CHUNK = 4096


@dataclass
class SerialCounters:
    """What a reader has seen since it started; rejects are in ``SerialLineReader.rejects``."""

    lines: int = 0
    accepted: int = 0
    device_errors: int = 0
    opens: int = 0
    open_failures: int = 0


class SerialLineReader:
    """Reads one serial line until cancelled; see the module docstring."""

    def __init__(
        self,
        line: SerialLine,
        probes: Iterable[Probe],
        sink: ReadingSink,
        clock: Clock,
        *,
        limits: Mapping[str, ProbeLimits] | None = None,
        logger: logging.Logger = log,
        reject_log_interval_s: float = 60.0,
    ) -> None:
        self.line = line
        mine: list[Probe] = []
        self._by_field: dict[str, list[Probe]] = {}
        for probe in probes:
            source = probe.source
            if isinstance(source, SerialSource) and source.line == line.id:
                mine.append(probe)
                self._by_field.setdefault(source.field, []).append(probe)
        self.probes = mine
        self.silence_s = line.silence_s
        if mine:
            fastest = min(mine, key=lambda p: p.sample_period_s)
            if line.silence_s < 2 * fastest.sample_period_s:
                # A line quiet for less than two periods is a line working normally: reopening
                # it then would only lose lines.
                self.silence_s = 2 * fastest.sample_period_s
                logger.warning(
                    "serial line %s: silence_s %g s is shorter than two sample periods of "
                    "probe %s; using %g s",
                    line.id,
                    line.silence_s,
                    fastest.id,
                    self.silence_s,
                )
        self._parser = LineParser(line, self._by_field)
        self._qualify = ReadingQualifier(mine, limits)
        self._sink = sink
        self._clock = clock
        self._log = logger
        self.tracker = AvailabilityTracker(mine, sink, logger)
        self.rejects = RejectLog(logger, reject_log_interval_s)
        self.counters = SerialCounters()
        self._source_name = f"serial line {line.id}"
        self._receiving: bool | None = None
        self._problem: str | None = None

    @property
    def receiving(self) -> bool:
        """True once data has arrived since the port was last (re)opened."""
        return self._receiving is True

    async def run(self) -> None:
        """Read, reopen on failure and watch for silent probes, until cancelled."""
        self.tracker.start(self._clock.now_ns())
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._read_forever(), name=f"serial-{self.line.id}-read")
                group.create_task(self._watch(), name=f"serial-{self.line.id}-watch")
        finally:
            self.rejects.flush()

    async def _read_forever(self) -> None:
        backoff = Backoff(self.line.backoff.initial_s, self.line.backoff.max_s)
        while True:
            problem = await self._session(backoff)
            delay = backoff.next_delay()
            self._link_failed(problem, delay)
            # Reconnection waits are real time: a device or a cable comes back in real seconds.
            await asyncio.sleep(delay)

    async def _session(self, backoff: Backoff) -> str:
        """Open the port and read it until it fails; returns what went wrong."""
        device = str(self.line.device)
        try:
            reader, writer = await serial_asyncio_fast.open_serial_connection(
                url=device,
                baudrate=self.line.baudrate,
                parity=self.line.parity,
                stopbits=self.line.stopbits,
                bytesize=self.line.bytesize,
                exclusive=True,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            self.counters.open_failures += 1
            errno = getattr(exc, "errno", None)
            return f"cannot open {device}: {os.strerror(errno) if errno else exc}"
        try:
            port = writer.transport.get_extra_info("serial")
            if port is not None:
                # pyserial flushes on open as well; the rule matters too much to rely on that.
                port.reset_input_buffer()
            self.counters.opens += 1
            self._log.debug("%s: %s open", self._source_name, device)
            backoff.reset()
            return await self._read_port(reader)
        except (serial.SerialException, OSError) as exc:
            return f"{device}: {exc}"
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read_port(self, reader: asyncio.StreamReader) -> str:
        assembler = LineAssembler(self.line.max_line_bytes, skip_first=True)
        silence_real_s = self.silence_s / self._clock.speed
        while True:
            try:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can lose a cancellation.
                async with asyncio.timeout(silence_real_s):
                    chunk = await reader.read(_READ_CHUNK)
            except TimeoutError:
                return f"nothing received for {self.silence_s:g} s"
            if not chunk:
                return f"{self.line.device} closed"
            ts = self._clock.now_ns()
            self._data_flows()
            for item in assembler.feed(chunk):
                self.handle_line(item, ts)

    def handle_line(self, item: bytes | Overlong, ts: int) -> None:
        """Turn one framed line, received at ``ts`` (UTC ns), into readings and rejects."""
        if isinstance(item, Overlong):
            detail = f"longer than {self.line.max_line_bytes} bytes ({item.size} dropped)"
            self.rejects.reject(self._source_name, LINE_TOO_LONG, detail)
            return
        self.counters.lines += 1
        parsed = self._parser.parse(item)
        for problem in parsed.problems:
            self.rejects.reject(self._source_name, problem.reason, problem.detail)
        for field, value in parsed.values.items():
            for probe in self._by_field[field]:
                self._sink.reading(self._qualify.reading(probe, value, ts))
                self.tracker.seen(probe.id, ts)
                self.counters.accepted += 1
        for field, word in parsed.device_errors.items():
            for probe in self._by_field[field]:
                self.counters.device_errors += 1
                self.tracker.failed(probe.id, f"device reports {word!r} for {field}", ts)

    def _data_flows(self) -> None:
        if self._receiving is not True:
            if self._receiving is False:
                self._log.warning("%s: receiving again", self._source_name)
            self._receiving = True
            self._problem = None

    def _link_failed(self, problem: str, retry_s: float) -> None:
        # The first failure of an outage is an error; the retries that follow stay quiet
        # unless the problem changes (port gone, then back but silent, say).
        level = logging.DEBUG if problem == self._problem else logging.ERROR
        self._log.log(level, "%s: %s; retrying in %g s", self._source_name, problem, retry_s)
        self._receiving = False
        self._problem = problem
        now = self._clock.now_ns()
        for probe in self.probes:
            self.tracker.failed(probe.id, f"{self._source_name}: {problem}", now)

    async def _watch(self) -> None:
        """Mark silent probes unavailable, and write the reject summaries that are due."""
        interval_s = min((p.stale_after_s for p in self.probes), default=60.0) / 4
        while True:
            await self._clock.sleep(interval_s)
            self.tracker.check_silence(self._clock.now_ns())
            self.rejects.flush_due()
