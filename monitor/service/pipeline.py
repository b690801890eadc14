"""The pipeline: every reading journaled first, then evaluated; events journaled, then alarmed.

One direction (ARCHITECTURE.md): validate (done by the drivers) → journal → evaluate →
events → journal → alarm manager → notifications. Everything runs on the daemon's loop and
synchronously between awaits, so the order of the record is the order of evaluation.

Streams: a pasteuriser's readings go to its running cycle's stream, or to the pasteuriser's
day stream when no cycle runs (so heating nobody registered is on record too); an
enclosure's go to its day stream; alarm transitions go to the ``alarms`` stream.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from config import Settings
from drivers.sink import AvailabilityChange
from monitor.alarms import AlarmManager, AlarmTransition, Notification, Priority
from monitor.errors import NotFound, Refused
from monitor.evaluation import (
    BandMachine,
    CycleMachine,
    Effect,
    Event,
    LotBacteriology,
    ProbeHealth,
    Severity,
    UnregisteredHeatingWatcher,
    start_cycle,
)
from monitor.journal import Journal, cycle_stream
from monitor.reading import Reading
from monitor.service import wiring

log = logging.getLogger(__name__)
ALARM_STREAM = "alarms"
_PRIORITY = {Severity.ALARM: Priority.HIGH, Severity.WARNING: Priority.MEDIUM}
_CRITICAL = {"band", "cycle_failed", "hold_interrupted", "probe_fault"}


@dataclass
class ActiveCycle:
    """A cycle in progress on a pasteuriser; its id is its journal stream."""

    stream: str
    pasteuriser: str
    lots: tuple[str, ...]
    program: str
    machine: CycleMachine


@dataclass
class ProbeView:
    """What the status page shows of a probe."""

    last: Reading | None = None
    available: bool | None = None
    reason: str = ""


class Pipeline:
    """Journal, evaluate and alarm; ``notify`` receives what people must be told."""

    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        alarms: AlarmManager,
        notify: Callable[[Notification], None],
        now_ns: int,
        silence_from_ns: int | None = None,
    ) -> None:
        """``silence_from_ns``: when probes start to count as silent (after start-up)."""
        self.settings = settings
        self.journal = journal
        self.alarms = alarms
        self._notify = notify
        # Told of every alarm transition once it is journaled (the retained alarm states).
        self.on_transition: Callable[[AlarmTransition], None] | None = None
        self._zone = settings.site.timezone
        self.owner: dict[str, tuple[str, str]] = {}
        for p in settings.pasteurisers:
            for member in p.probes:
                self.owner[member.probe] = ("pasteuriser", p.id)
        for e in settings.enclosures:
            for probe_id in e.probes:
                self.owner[probe_id] = ("enclosure", e.id)
        self.probes = {p.id: ProbeView() for p in settings.probes}
        self.health = {
            p.id: ProbeHealth(
                p.id, wiring.probe_health_spec(p, self._zone), silence_from_ns or now_ns
            )
            for p in settings.probes
        }
        day = wiring.day_key(now_ns, self._zone)
        self.bands = {
            e.id: BandMachine(e.id, wiring.band_spec(e), e.probes, day, now_ns)
            for e in settings.enclosures
        }
        self.watchers = {
            p.id: UnregisteredHeatingWatcher(
                p.id, [m.probe for m in p.probes], wiring.heating_watch(p)
            )
            for p in settings.pasteurisers
        }
        self.cycles: dict[str, ActiveCycle] = {}
        self.closed: list[ActiveCycle] = []
        self.readings_seen = 0

    # -- inputs -----------------------------------------------------------------------------

    def on_reading(self, reading: Reading) -> None:
        """Journal the reading in its stream, then let every machine that cares judge it; the
        reading and the events it causes are committed together."""
        with self.journal.together():
            self._judge(reading)

    def _judge(self, reading: Reading) -> None:
        kind, equipment = self.owner.get(reading.probe_id, ("probe", reading.probe_id))
        cycle = self.cycles.get(equipment) if kind == "pasteuriser" else None
        stream = cycle.stream if cycle else self._day_stream(kind, equipment, reading.ts)
        self.journal.append_reading(stream, reading, {"equipment": equipment})
        self.readings_seen += 1
        view = self.probes.get(reading.probe_id)
        if view is not None:
            view.last = reading
        events: list[Event] = list(self.health[reading.probe_id].feed(reading))
        if kind == "pasteuriser":
            if cycle is not None:
                events += cycle.machine.feed(reading)
            events += self.watchers[equipment].feed(reading)
        elif kind == "enclosure":
            events += self._roll_day(equipment, reading.ts)
            events += self.bands[equipment].feed(reading)
        self.handle(events)
        if cycle is not None and cycle.machine.closed:
            self._finish(cycle, reading.ts)

    def on_availability(self, change: AvailabilityChange) -> None:
        """A driver says a probe stopped or started answering: on record, and on the page."""
        view = self.probes.get(change.probe_id)
        if view is not None:
            view.available, view.reason = change.available, change.reason
        kind, equipment = self.owner.get(change.probe_id, ("probe", change.probe_id))
        cycle = self.cycles.get(equipment) if kind == "pasteuriser" else None
        stream = cycle.stream if cycle else self._day_stream(kind, equipment, change.ts)
        fields: dict[str, str | bool] = {
            "probe": change.probe_id,
            "available": change.available,
            "reason": change.reason,
        }
        self.journal.append_event(stream, "probe_availability", fields, ts=change.ts)

    def tick(self, now_ns: int) -> None:
        """Time passes: silences, delays and limits expire; alarms re-notify and escalate."""
        with self.journal.together():
            self._tick(now_ns)

    def _tick(self, now_ns: int) -> None:
        events: list[Event] = []
        for health in self.health.values():
            events += health.tick(now_ns)
        for enclosure_id, band in self.bands.items():
            events += self._roll_day(enclosure_id, now_ns)
            events += band.tick(now_ns)
        for cycle in list(self.cycles.values()):
            events += cycle.machine.tick(now_ns)
        self.handle(events)
        for cycle in list(self.cycles.values()):
            if cycle.machine.closed:
                self._finish(cycle, now_ns)
        transitions, notes = self.alarms.tick(now_ns)
        self.record_alarms(transitions, notes)

    # -- commands ---------------------------------------------------------------------------

    def start_cycle(
        self, pasteuriser_id: str, lots: list[LotBacteriology], program_name: str, now_ns: int
    ) -> ActiveCycle:
        """Start a cycle; ``StartRefused`` (recorded) when the lots forbid the program."""
        pasteuriser = wiring.pasteuriser(self.settings, pasteuriser_id)
        if pasteuriser_id in self.cycles:
            raise Refused(f"pasteuriser {pasteuriser_id} already runs cycle "
                          f"{self.cycles[pasteuriser_id].stream}")  # fmt: skip
        program = wiring.program(self.settings, program_name)
        stream = cycle_stream(pasteuriser_id, now_ns)
        machine, events = start_cycle(
            stream,
            now_ns,
            program,
            lots,
            wiring.cycle_probes(pasteuriser),
            wiring.cycle_policy(self.settings, pasteuriser),
            wiring.flora_limits(self.settings),
        )
        cycle = ActiveCycle(stream, pasteuriser_id, tuple(lot.lot_id for lot in lots),
                            program.name, machine)  # fmt: skip
        self.cycles[pasteuriser_id] = cycle
        self.handle(events)
        self.handle(self.watchers[pasteuriser_id].cycle_started(now_ns, stream))
        return cycle

    def abort_cycle(self, pasteuriser_id: str, user: str, reason: str, now_ns: int) -> ActiveCycle:
        cycle = self.cycles.get(pasteuriser_id)
        if cycle is None:
            raise NotFound(f"no cycle runs on pasteuriser {pasteuriser_id}")
        self.handle(cycle.machine.abort(now_ns, user, reason))
        self._finish(cycle, now_ns)
        return cycle

    # -- events and alarms ------------------------------------------------------------------

    def handle(self, events: Iterable[Event]) -> None:
        for event in events:
            self.journal.append_event(self._event_stream(event), event.kind, event.fields(),
                                      ts=event.ts)  # fmt: skip
            key = event.alarm_key
            if key is None or event.effect is None:
                continue
            priority = (
                Priority.CRITICAL
                if event.condition in _CRITICAL
                else _PRIORITY.get(event.severity, Priority.LOW)
            )
            message = _message(event)
            source = event.subject
            if event.effect in (Effect.RAISE, Effect.PULSE):
                self.record_alarms(*self.alarms.condition(event.ts, key, True, source,
                                                           priority, message))  # fmt: skip
            if event.effect in (Effect.CLEAR, Effect.PULSE):
                self.record_alarms(*self.alarms.condition(event.ts, key, False, source,
                                                           priority, message))  # fmt: skip

    def record_alarms(self, transitions: list[AlarmTransition], notes: list[Notification]) -> None:
        for t in transitions:
            self.journal.append_event(ALARM_STREAM, t.kind, t.fields(), ts=t.ts)
            if self.on_transition is not None:
                self.on_transition(t)
        for note in notes:
            self._notify(note)

    # -- internals --------------------------------------------------------------------------

    def _finish(self, cycle: ActiveCycle, now_ns: int) -> None:
        self.cycles.pop(cycle.pasteuriser, None)
        self.closed.append(cycle)
        self.handle(self.watchers[cycle.pasteuriser].cycle_ended(now_ns))
        verdict = cycle.machine.verdict
        outcome = verdict.outcome.value if verdict else "closed"
        self.journal.seal(cycle.stream, f"cycle {outcome}")
        log.info("cycle %s on %s closed: %s", cycle.stream, cycle.pasteuriser, outcome)

    def _roll_day(self, enclosure_id: str, ts: int) -> tuple[Event, ...]:
        band = self.bands[enclosure_id]
        day = wiring.day_key(ts, self._zone)
        if day <= band.state.day.day:
            return ()
        return band.new_day(ts, day)

    def _day_stream(self, kind: str, equipment: str, ts: int) -> str:
        return f"{kind}:{equipment}:{wiring.day_key(ts, self._zone)}"

    def _event_stream(self, event: Event) -> str:
        subject = event.subject
        if subject.startswith("cycle:"):
            return subject
        kind, equipment = self.owner.get(subject, ("", ""))
        if not kind:  # the subject is a piece of equipment itself
            if subject in self.bands:
                kind, equipment = "enclosure", subject
            elif subject in self.watchers:
                kind, equipment = "pasteuriser", subject
            else:
                return "device"
        cycle = self.cycles.get(equipment) if kind == "pasteuriser" else None
        return cycle.stream if cycle else self._day_stream(kind, equipment, event.ts)


def _message(event: Event) -> str:
    fields = event.fields()
    reason = fields.get("reason") or fields.get("message")
    text = f"{event.kind.replace('_', ' ')} on {event.subject}"
    return f"{text}: {reason}" if reason else text
