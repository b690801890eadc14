"""The pipeline: every reading journaled first, then evaluated; events journaled, then alarmed.

One direction (docs/RULES.md, Records): a reading is appended to its stream, then judged by
the machines that care (``evaluators``); each event they conclude is appended to its own
stream, then handed to the alarm desk, which journals its transitions and passes on what
people must be told. A reading and all it causes are committed together. Everything runs on
the daemon's loop, synchronously between awaits, so the order of the record is the order
of evaluation.

Time passing (``tick``) expires silences, delays and limits in the same way, and every
``snapshot_every_s`` the machines' state is journaled (``machine_state``), so a restart
replays only what came after it (``resume``).

The pipeline knows how far behind its inputs it is (``input_horizon``): a probe's silence is
judged only up to the time its link is known read, each tick checks the lag against the
overload alarm (``overload``), and readings the drivers' queue had to shed are recorded
(docs/RULES.md, F9).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from config import Settings
from drivers.sink import AvailabilityChange, Watermark
from monitor.alarms import Priority
from monitor.clock import NS_PER_S
from monitor.errors import NotFound, Refused
from monitor.evaluation import Event, LotBacteriology
from monitor.journal import Journal
from monitor.journal.streams import DEVICE_STREAM, cycle_stream
from monitor.reading import Quality, Reading
from monitor.service import wiring
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.clock_watch import CLOCK_STEP, ClockStep
from monitor.service.cycles import ActiveCycle, open_cycle
from monitor.service.evaluators import Evaluators, Routed
from monitor.service.input_horizon import InputHorizon
from monitor.service.machine_state import journal_machine_state
from monitor.service.overload import OVERLOAD_KEY, OverloadChange, OverloadWatch
from monitor.service.queue_sink import Shed

log = logging.getLogger(__name__)
SNAPSHOT_EVERY_S = 3600.0


@dataclass
class ProbeView:
    """What the status page shows of a probe."""

    last: Reading | None = None
    available: bool | None = None
    reason: str = ""


class Pipeline:
    """Readings, availability changes, ticks and cycle commands in; the record out."""

    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        desk: AlarmDesk,
        evaluators: Evaluators,
        snapshot_every_s: float = SNAPSHOT_EVERY_S,
    ) -> None:
        self.settings = settings
        self.journal = journal
        self.desk = desk
        self.machines = evaluators
        self.probes = {p.id: ProbeView() for p in settings.probes}
        self.closed: list[ActiveCycle] = []
        self.readings_seen = 0
        self.input = InputHorizon()
        self.shed_total = 0
        self.overload = OverloadWatch(settings.overload.lag_alarm_s, settings.overload.lag_clear_s)
        self._source_of = evaluators.source_of
        self._snapshot_ns = int(snapshot_every_s * NS_PER_S)
        self._last_snapshot_ns: int | None = None

    @property
    def cycles(self) -> dict[str, ActiveCycle]:
        return self.machines.cycles

    # -- inputs -----------------------------------------------------------------------------

    def on_reading(self, reading: Reading) -> None:
        """Journal the reading in its stream, then let every machine that cares judge it; the
        reading and the events it causes are committed together."""
        machines = self.machines
        with self.journal.together():
            stream = machines.stream_of_probe(reading.probe_id, reading.ts)
            tags = {"equipment": machines.equipment_of(reading.probe_id)}
            self.journal.append_reading(stream, reading, tags)
            self.readings_seen += 1
            view = self.probes.get(reading.probe_id)
            if view is not None:
                view.last = reading
            suspect = reading.quality is Quality.SUSPECT and reading.detail
            until = self.input.heard_until(self._source_of.get(reading.probe_id))
            self.record(
                machines.feed(reading, until),
                f"suspect reading: {reading.detail}" if suspect else "",
            )
            self._close_finished(reading.ts)

    def on_availability(self, change: AvailabilityChange) -> None:
        """A driver says a probe stopped or started answering: on record, and on the page."""
        view = self.probes.get(change.probe_id)
        if view is not None:
            view.available, view.reason = change.available, change.reason
        stream = self.machines.stream_of_probe(change.probe_id, change.ts)
        fields: dict[str, str | bool] = {
            "probe": change.probe_id,
            "available": change.available,
            "reason": change.reason,
        }
        self.journal.append_event(stream, "probe_availability", fields, ts=change.ts)

    def on_watermark(self, mark: Watermark) -> None:
        """A driver's marker came back through its link: what it held before is processed,
        and its probes' silence is judged up to there at the next tick; markers that never
        came back mean the broker dropped messages meant for this unit."""
        with self.journal.together():
            # The horizon only: silence is judged by the tick, after the ticker has looked
            # for a step of the wall clock. Judged here, a marker stamped just after a step
            # forward would have called every probe silent for the length of the step.
            self.input.watermark(mark)
            if mark.lost:
                fields: dict[str, str | int] = {"source": mark.source, "markers": mark.lost}
                self.journal.append_event(
                    DEVICE_STREAM, "broker_dropped", fields, ts=mark.received_ns
                )
                lag = self.input.lag_s(mark.received_ns)
                self._overload(self.overload.lost(mark.received_ns, lag, markers=mark.lost))

    def on_shed(self, shed: Shed, now_ns: int) -> None:
        """Readings the drivers' queue could not hold: counted on record, and the alarm."""
        probes = ",".join(f"{p}={n}" for p, n in sorted(shed.probes.items()))
        fields: dict[str, str | int] = {
            "count": shed.count,
            "first_ts": shed.first_ts,
            "last_ts": shed.last_ts,
            "probes": probes,
        }
        self.shed_total += shed.count
        with self.journal.together():
            self.journal.append_event(DEVICE_STREAM, "readings_shed", fields, ts=now_ns)
            lag = self.input.lag_s(now_ns)
            self._overload(self.overload.lost(now_ns, lag, shed=shed.count))
        log.error("%d readings shed: the pipeline's queue was full (%s)", shed.count, probes)

    def tick(self, now_ns: int) -> None:
        """Time passes: silences, delays and limits expire; alarms re-notify and escalate."""
        with self.journal.together():
            self.record(self.machines.tick(now_ns, self.input.horizons()))
            self._close_finished(now_ns)
            self.desk.tick(now_ns)
            self._overload(self.overload.check(now_ns, self.input.lag_s(now_ns)))
            if self._last_snapshot_ns is None:
                self._last_snapshot_ns = now_ns
            elif now_ns - self._last_snapshot_ns >= self._snapshot_ns:
                self.save_state(now_ns)

    def _overload(self, change: OverloadChange | None) -> None:
        if change is None:
            return
        kind = "input_behind" if change.active else "input_caught_up"
        self.journal.append_event(DEVICE_STREAM, kind, change.fields(), ts=change.ts)
        message = change.message()
        self.desk.condition(
            change.ts, OVERLOAD_KEY, change.active, "device", Priority.HIGH, message
        )
        if change.active:
            log.warning("overload: %s", message)
        else:
            log.warning("overload over: %s", message)
            # What a replay after a restart will start from: the judgement made while
            # behind used horizons the journal does not hold.
            self.save_state(change.ts)

    def clock_stepped(self, step: ClockStep) -> None:
        """The wall clock stepped: on record, and every machine's time moves with it, so
        readings stamped by the new clock are judged in order and no silence is invented."""
        self.journal.append_event(DEVICE_STREAM, CLOCK_STEP, step.fields(), ts=step.wall_after_ns)
        delta = step.wall_after_ns - step.wall_before_ns
        self.machines.rebase(delta)
        self.desk.rebase(delta)
        if self._last_snapshot_ns is not None:
            self._last_snapshot_ns += delta
        log.warning("clock step: %s", step.fields()["reason"])

    def save_state(self, now_ns: int) -> None:
        """Journal every machine's state: a restart replays only what follows it."""
        journal_machine_state(self.journal, self.machines.snapshot(), now_ns)
        self._last_snapshot_ns = now_ns

    # -- commands ---------------------------------------------------------------------------

    def start_cycle(
        self, pasteuriser_id: str, lots: list[LotBacteriology], program_name: str, now_ns: int
    ) -> ActiveCycle:
        """Start a cycle; ``StartRefused`` when the lots forbid the program."""
        pasteuriser = wiring.pasteuriser(self.settings, pasteuriser_id)
        running = self.cycles.get(pasteuriser_id)
        if running is not None:
            raise Refused(f"pasteuriser {pasteuriser_id} already runs cycle {running.stream}")
        stream = cycle_stream(pasteuriser_id, now_ns)
        cycle, events = open_cycle(
            self.settings, stream, pasteuriser_id, program_name, lots, now_ns
        )
        for member in pasteuriser.probes:
            view = self.probes.get(member.probe)
            if (
                member.role in ("bath", "reference")
                and view is not None
                and view.available is False
            ):
                raise Refused(f"pasteuriser {pasteuriser_id}: its {member.role} probe "
                              f"{member.probe} is unavailable ({view.reason or 'no answer'}): "
                              "a cycle it cannot watch proves nothing")  # fmt: skip
        self.record(self.machines.route(events))
        self.record(self.machines.add_cycle(cycle, now_ns))
        return cycle

    def abort_cycle(self, pasteuriser_id: str, user: str, reason: str, now_ns: int) -> ActiveCycle:
        cycle = self.cycles.get(pasteuriser_id)
        if cycle is None:
            raise NotFound(f"no cycle runs on pasteuriser {pasteuriser_id}")
        self.record(self.machines.route(cycle.machine.abort(now_ns, user, reason)))
        self._finish(cycle, now_ns)
        return cycle

    # -- the record -------------------------------------------------------------------------

    def record(self, routed: list[Routed], cause: str = "") -> None:
        """Append each event to its stream, then let the desk act on its alarm meaning."""
        for item in routed:
            event = item.event
            self.journal.append_event(item.stream, event.kind, event.fields(), ts=event.ts)
            self.desk.on_events((event,), cause)

    def record_events(self, events: list[Event]) -> None:
        """``record`` for events concluded outside the machines (a refused start)."""
        self.record(self.machines.route(events))

    def _close_finished(self, now_ns: int) -> None:
        for cycle in self.machines.closed_cycles():
            self._finish(cycle, now_ns)

    def _finish(self, cycle: ActiveCycle, now_ns: int) -> None:
        self.closed.append(cycle)
        del self.closed[:-50]
        self.record(self.machines.remove_cycle(cycle, now_ns))
        verdict = cycle.machine.verdict
        outcome = verdict.outcome.value if verdict else "closed"
        self.journal.seal(cycle.stream, f"cycle {outcome}")
        log.info("cycle %s on %s closed: %s", cycle.stream, cycle.pasteuriser, outcome)
