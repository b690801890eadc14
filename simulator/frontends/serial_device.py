"""The simulator's serial front-end: each ``[[serial]]`` line of a settings file, on a pty.

It reads the same settings file as the service. For each serial line it creates a
pseudo-terminal pair, makes the line's configured ``device`` path a symbolic link to the
terminal end, and writes to the controlling end, every sample period, one line with the
fields of the line's probes as the lab gives them:

- no answer: the field is left out; device exception: ``T1=ERR``; open circuit: the sentinel;
- link down (``link_up(line id)`` false): nothing at all is written;
- garbage can be injected (``inject``), or mixed in every N lines (``garbage_every``).

Nobody listening is not an error: a full buffer drops the line, as a cable to nowhere would.
The link is removed on stop, and never put in place of anything but an old simulator link.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import tty
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from config.links import SerialLine
from config.probes import Probe, SerialSource
from config.settings import Settings
from monitor.clock import Clock
from simulator.frontends.serial_render import LineRenderer, field_text
from simulator.frontends.shared import ValueSource, check_replaceable, link_device

log = logging.getLogger(__name__)


@dataclass
class SerialWriteCounters:
    lines: int = 0
    garbage: int = 0
    dropped: int = 0
    silent_periods: int = 0


class SerialLineSimulator:
    """One simulated device printing lines on a pseudo-terminal at ``line.device``."""

    def __init__(
        self,
        line: SerialLine,
        probes: Sequence[Probe],
        values: ValueSource,
        clock: Clock,
        *,
        garbage_every: int | None = None,
        seed: int = 0,
    ) -> None:
        if garbage_every is not None and garbage_every < 1:
            raise ValueError(f"garbage_every must be >= 1, got {garbage_every}")
        self.line = line
        self.probes: list[tuple[Probe, str]] = []
        for probe in probes:
            source = probe.source
            if isinstance(source, SerialSource) and source.line == line.id:
                self.probes.append((probe, source.field))
        if not self.probes:
            raise ValueError(f"serial line {line.id}: no probe reads this line")
        self.period_s = min(probe.sample_period_s for probe, _ in self.probes)
        self._renderer = LineRenderer(line)
        self._values = values
        self._clock = clock
        self._garbage_every = garbage_every
        self._random = random.Random(seed)
        self._injected: list[bytes] = []
        self._fds: tuple[int, int] | None = None
        self._terminal_path: str | None = None
        self.counters = SerialWriteCounters()

    @property
    def is_open(self) -> bool:
        return self._fds is not None

    def open(self) -> None:
        """Create the pty pair and the link at ``line.device``."""
        path = self.line.device
        check_replaceable(path)
        controller, terminal = os.openpty()
        try:
            # Raw: no echo, no CR/LF translation; bytes arrive exactly as written.
            tty.setraw(terminal)
            os.set_blocking(controller, False)
            self._terminal_path = os.ttyname(terminal)
            link_device(path, self._terminal_path)
        except OSError:
            os.close(controller)
            os.close(terminal)
            raise
        # The terminal end stays open here too, so that writes succeed before a reader comes.
        self._fds = (controller, terminal)
        log.info("serial line %s: simulated on %s -> %s", self.line.id, path, self._terminal_path)

    def close(self) -> None:
        """Close the pty (a reader sees the device vanish) and remove the link if it is ours."""
        if self._fds is None:
            return
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds = None
        with contextlib.suppress(OSError):
            if os.readlink(self.line.device) == self._terminal_path:
                self.line.device.unlink()

    def inject(self, data: bytes) -> None:
        """Write ``data`` as is (no terminator added) before the next line."""
        self._injected.append(data)

    def write_period(self) -> None:
        """Everything the device prints in one sample period."""
        while self._injected:
            self._write(self._injected.pop(0))
            self.counters.garbage += 1
        if not self._link_up():
            self.counters.silent_periods += 1
            return
        fields: dict[str, str] = {}
        for probe, field in self.probes:
            text = field_text(self._values.probe_output(probe.id), probe)
            if text is not None:
                fields[field] = text
        if self._garbage_every and self.counters.lines % self._garbage_every == 0:
            self._write(self.random_garbage())
            self.counters.garbage += 1
        if not fields:
            self.counters.silent_periods += 1
            return
        self._write(self._renderer.render(fields))
        self.counters.lines += 1

    def random_garbage(self) -> bytes:
        """One line of damage a real line shows: noise, an endless line, bad values."""
        kind = self._random.randrange(4)
        if kind == 0:
            noise = bytes(self._random.randrange(256) for _ in range(self._random.randint(1, 40)))
            return noise.replace(b"\r", b"\x00").replace(b"\n", b"\xff") + b"\x07\r\n"
        if kind == 1:
            return b"9" * (self.line.max_line_bytes + 10) + b"\r\n"
        _, field = self.probes[0]
        if kind == 2:
            return f"{field}{self.line.key_separator}-.-\r\n".encode()
        return f"ZZ{self.line.key_separator}1.0\r\n".encode()

    def _link_up(self) -> bool:
        try:
            return self._values.link_up(self.line.id)
        except LookupError:
            return True  # a line the lab does not model as a link is never cut

    def _write(self, data: bytes) -> None:
        if self._fds is None:
            raise RuntimeError(f"serial line {self.line.id}: the simulated device is not open")
        try:
            written = os.write(self._fds[0], data)
        except BlockingIOError:
            written = 0
        if written < len(data):
            self.counters.dropped += 1

    async def run(self) -> None:
        """Open (unless open already), print every period until cancelled, close."""
        if not self.is_open:
            self.open()
        try:
            due = self._clock.monotonic()
            while True:
                self.write_period()
                due = max(due + self.period_s, self._clock.monotonic())
                await self._clock.sleep(due - self._clock.monotonic())
        finally:
            self.close()


class SerialFrontend:
    """Serves every serial line of ``settings`` from ``values`` (the lab)."""

    def __init__(
        self,
        settings: Settings,
        values: ValueSource,
        clock: Clock,
        *,
        garbage_every: int | None = None,
    ) -> None:
        self.lines: dict[str, SerialLineSimulator] = {}
        serial_probes = [p for p in settings.probes if isinstance(p.source, SerialSource)]
        for probe in serial_probes:
            try:
                values.probe_output(probe.id)
            except LookupError:
                raise ValueError(
                    f"probe {probe.id} of a serial line is not in the simulated lab"
                ) from None
        for line in settings.serial:
            if any(
                isinstance(p.source, SerialSource) and p.source.line == line.id
                for p in serial_probes
            ):
                self.lines[line.id] = SerialLineSimulator(
                    line, serial_probes, values, clock, garbage_every=garbage_every
                )
        self._task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Serve every line until cancelled; every pty and link is removed on the way out.

        The links are made before the first wait, so they exist once this task has started.
        """
        try:
            self._open_all()
            async with asyncio.TaskGroup() as group:
                for line_id, simulator in self.lines.items():
                    group.create_task(simulator.run(), name=f"serial front-end {line_id}")
        finally:
            for simulator in self.lines.values():
                simulator.close()

    def _open_all(self) -> None:
        try:
            for simulator in self.lines.values():
                if not simulator.is_open:
                    simulator.open()
        except BaseException:
            for simulator in self.lines.values():
                simulator.close()
            raise

    async def __aenter__(self) -> SerialFrontend:
        self._open_all()  # the links exist as soon as the caller goes on
        self._task = asyncio.create_task(self.run(), name="serial front-end")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for simulator in self.lines.values():
            simulator.close()  # also when the task was cancelled before it ever ran
