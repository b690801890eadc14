"""The poll loop of one Modbus bus: every probe at its sample period, never crashing on faults.

Probes with the same sample period are polled together, in the fewest requests
(``drivers.modbus_plan``); a probe whose device has a status register becomes a reading once
both its value and its status are read, a fault when the status says so. A failed request
makes its probes unavailable, with a reason that names them, and is retried after a doubling
delay, so a dead unit does not take the bus time the other units need. A lost or refused
connection makes every probe of the bus unavailable and is retried with the bus's capped
exponential backoff, reset on success. Periods and backoff delays run on the injected clock;
timeouts and the inter-frame gap are wire time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from config.links import ModbusRtuBus, ModbusTcpBus
from config.probe_limits import ProbeLimits
from config.probes import Probe
from drivers.availability import AvailabilityTracker
from drivers.backoff import Backoff
from drivers.cancellation import stop_if_cancelled
from drivers.errors import ProbeError, ProbeUnreachable
from drivers.modbus_client import ModbusConnection, ModbusCounters
from drivers.modbus_plan import (
    DEFAULT_MAX_GAP,
    RegisterKey,
    RegisterRead,
    decode_probe,
    modbus_source,
    plan_reads,
)
from drivers.qualify import ReadingQualifier
from drivers.sink import ReadingSink
from monitor.clock import Clock


class _ReadState:
    """A planned read and when it may be tried again after a failure."""

    def __init__(self, read: RegisterRead, backoff: Backoff) -> None:
        self.read = read
        self.backoff = backoff
        self.retry_at = -math.inf


@dataclass(frozen=True)
class PollGroup:
    """The reads of the probes that share one sample period."""

    period_s: float
    reads: tuple[RegisterRead, ...]


class ModbusPoller:
    """Polls the probes of one bus until cancelled; results go to ``sink``."""

    def __init__(
        self,
        bus: ModbusTcpBus | ModbusRtuBus,
        probes: Iterable[Probe],
        clock: Clock,
        sink: ReadingSink,
        *,
        limits: Mapping[str, ProbeLimits] | None = None,
        logger: logging.Logger | None = None,
        max_gap: int = DEFAULT_MAX_GAP,
    ) -> None:
        self.bus = bus
        self._probes = list(probes)
        if not self._probes:
            raise ValueError(f"Modbus bus {bus.id} has no probes to poll")
        by_period: dict[float, list[Probe]] = {}
        for probe in self._probes:
            source = modbus_source(probe)
            if source.bus != bus.id:
                raise ValueError(f"probe {probe.id} is on bus {source.bus}, not on {bus.id}")
            by_period.setdefault(probe.sample_period_s, []).append(probe)
        self.groups = tuple(
            PollGroup(period, tuple(plan_reads(members, max_gap)))
            for period, members in sorted(by_period.items())
        )
        self._states = [
            [_ReadState(read, self._new_backoff()) for read in group.reads] for group in self.groups
        ]
        self._clock = clock
        self._sink = sink
        self._qualify = ReadingQualifier(self._probes, limits)
        self._log = logger or logging.getLogger(__name__)
        self._tracker = AvailabilityTracker(self._probes, sink, self._log)
        self._connection = ModbusConnection(bus)
        self._reconnect = self._new_backoff()
        self._reconnect_at = -math.inf
        self._bus_down = False

    def _new_backoff(self) -> Backoff:
        return Backoff(self.bus.backoff.initial_s, self.bus.backoff.max_s)

    @property
    def counters(self) -> ModbusCounters:
        """Requests, responses, connection attempts and errors per kind on this bus."""
        return self._connection.counters

    @property
    def reads(self) -> tuple[RegisterRead, ...]:
        """Every planned request, all periods together."""
        return tuple(read for group in self.groups for read in group.reads)

    @property
    def failures(self) -> dict[str, int]:
        """Failed reads per probe since the start."""
        return dict(self._tracker.failures)

    def is_available(self, probe_id: str) -> bool:
        return self._tracker.is_available(probe_id)

    async def poll_once(self) -> None:
        """Poll every probe once now, whatever its period (a manual read, a test)."""
        for states in self._states:
            await self._poll(states)

    async def run(self) -> None:
        """Poll forever; cancel the task to stop (the connection is closed on the way out)."""
        clock = self._clock
        self._tracker.start(clock.now_ns())
        # Each group is due at once, then on the beats of its period (``to_beat``).
        now = clock.monotonic()
        next_due = [now - now % group.period_s for group in self.groups]
        try:
            while True:
                for i, group in enumerate(self.groups):
                    if next_due[i] <= clock.monotonic():
                        await self._poll(self._states[i])
                        # The connection raises a cancel pymodbus lost (gh-86296) at the
                        # call that lost it; this catches one lost anywhere else in a poll.
                        stop_if_cancelled()
                        next_due[i] = _next_tick(next_due[i], group.period_s, clock.monotonic())
                self._tracker.check_silence(clock.now_ns())
                stop_if_cancelled()
                await clock.sleep(max(0.0, min(next_due) - clock.monotonic()))
        finally:
            self.close()

    def close(self) -> None:
        """Close the connection (``run`` does it when cancelled; after ``poll_once``, call it)."""
        self._connection.close()

    async def _poll(self, states: list[_ReadState]) -> None:
        words: dict[RegisterKey, int] = {}
        done: set[str] = set()
        for state in states:
            if not self._connection.connected and not await self._connect():
                return
            if state.retry_at > self._clock.monotonic():
                done.update(state.read.probe_ids)  # backing off: this poll has none of them
                continue
            try:
                registers = await self._connection.read(state.read)
            except ProbeUnreachable as error:
                # The connection broke under this request; the next poll reconnects.
                self._failed(state.read.probes, error)
                self._connection.close()
                return
            except ProbeError as error:
                self._failed(state.read.probes, error)
                done.update(state.read.probe_ids)
                state.retry_at = self._clock.monotonic() + state.backoff.next_delay()
                continue
            ts = self._clock.now_ns()
            state.backoff.reset()
            state.retry_at = -math.inf
            words |= state.read.words(registers)
            self._emit(state.read.probes, words, done, ts)

    def _emit(
        self, probes: Iterable[Probe], words: dict[RegisterKey, int], done: set[str], ts: int
    ) -> None:
        """A reading for each of ``probes`` whose registers are all read and not yet used."""
        for probe in probes:
            if probe.id in done:
                continue
            decoded = decode_probe(probe, words)
            if decoded is None:
                continue  # its status register comes with a later read of this poll
            done.add(probe.id)
            self._tracker.seen(probe.id, ts)
            self._sink.reading(
                self._qualify.reading(probe, decoded.raw, ts, device_fault=decoded.device_fault)
            )

    async def _connect(self) -> bool:
        if self._clock.monotonic() < self._reconnect_at:
            return False
        try:
            await self._connection.connect()
        except ProbeUnreachable as error:
            self._failed(self._probes, error)
            self._reconnect_at = self._clock.monotonic() + self._reconnect.next_delay()
            if not self._bus_down:
                self._bus_down = True
                self._log.warning("Modbus bus %s: unreachable: %s", self.bus.id, error.message)
            return False
        self._reconnect.reset()
        self._reconnect_at = -math.inf
        if self._bus_down:
            self._bus_down = False
            self._log.warning("Modbus bus %s: connected again", self.bus.id)
        return True

    def _failed(self, probes: Iterable[Probe], error: ProbeError) -> None:
        ts = self._clock.now_ns()
        for probe in probes:
            self._tracker.failed(probe.id, str(error), ts)


def _next_tick(due: float, period: float, now: float) -> float:
    """The next tick after ``due`` that is still ahead of ``now``; missed ticks are skipped."""
    due += period
    if due <= now:
        due += (math.floor((now - due) / period) + 1) * period
    return due
