"""Every evaluation machine of the site, with the routing that tells each its readings.

A reading goes to its probe's health, then to the equipment that owns the probe: an
enclosure's band, or a pasteuriser's running cycle and its unregistered-heating watcher.
Each event comes back with the stream it belongs to (``Routed``), so that nobody else needs
to know which stream an event of a probe, an enclosure or a cycle is written to.

No I/O: the pipeline journals what this answers, and ``resume`` replays the journal
through the very same methods, so a restarted daemon reaches the state it had.

Probe health judges silence up to the horizon of the probe's link when the pipeline knows
one (``input_horizon``: the MQTT probes are grouped under ``"mqtt"``, the local links under
None), so that readings waiting in a broker are not taken for a silence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from config import Settings
from config.probes import MqttSource
from monitor.evaluation import (
    BandMachine,
    BandState,
    DayStats,
    Event,
    HeatingWatchState,
    ProbeHealth,
    ProbeHealthState,
    UnregisteredHeatingWatcher,
    state_from_dict,
)
from monitor.evaluation.daily import DaySummarised
from monitor.journal.streams import StreamKind, day_stream, parse_stream
from monitor.reading import Reading
from monitor.service import wiring
from monitor.service.clock_rebase import shift_stamps
from monitor.service.cycles import ActiveCycle


@dataclass(frozen=True, slots=True)
class Routed:
    """An event and the stream it is written to."""

    stream: str
    event: Event


class Evaluators:
    """Probe health, enclosure bands, heating watchers and running cycles of one site."""

    def __init__(self, settings: Settings, now_ns: int, silence_from_ns: int | None = None):
        self.settings = settings
        self.zone = settings.site.timezone
        self.owner: dict[str, tuple[StreamKind, str]] = {}
        for p in settings.pasteurisers:
            for member in p.probes:
                self.owner[member.probe] = (StreamKind.PASTEURISER_DAY, p.id)
        for e in settings.enclosures:
            for probe_id in e.probes:
                self.owner[probe_id] = (StreamKind.ENCLOSURE_DAY, e.id)
        # The link whose horizon judges a probe's silence: "mqtt", or None for a local one.
        self.source_of: dict[str, str | None] = {
            p.id: "mqtt" if isinstance(p.source, MqttSource) else None for p in settings.probes
        }
        self.cycles: dict[str, ActiveCycle] = {}
        self._days = wiring.LocalDays(self.zone)
        self._day_streams: dict[tuple[StreamKind, str, str], str] = {}
        self.reset(now_ns, silence_from_ns)

    def reset(self, now_ns: int, silence_from_ns: int | None = None) -> None:
        """Fresh machines, as at ``now_ns`` (a replay from the journal's start begins there)."""
        settings = self.settings
        silent_from = silence_from_ns or now_ns
        self.health = {
            p.id: ProbeHealth(p.id, wiring.probe_health_spec(p, self.zone), silent_from)
            for p in settings.probes
        }
        self._by_source: dict[str | None, list[ProbeHealth]] = {}
        for probe_id, health in self.health.items():
            self._by_source.setdefault(self.source_of[probe_id], []).append(health)
        day = wiring.day_key(now_ns, self.zone)
        self.bands = {
            e.id: BandMachine(e.id, wiring.band_spec(e, settings), e.probes, day, now_ns)
            for e in settings.enclosures
        }
        self.watchers = {
            p.id: UnregisteredHeatingWatcher(
                p.id, [m.probe for m in p.probes], wiring.heating_watch(p)
            )
            for p in settings.pasteurisers
        }

    # -- inputs -----------------------------------------------------------------------------

    def stream_of_probe(self, probe_id: str, ts: int) -> str:
        """Where a probe's readings go now: its pasteuriser's running cycle, or its
        equipment's day (a probe no equipment owns has a day of its own)."""
        kind, equipment = self.owner.get(probe_id, (StreamKind.PROBE_DAY, probe_id))
        cycle = self.cycles.get(equipment) if kind is StreamKind.PASTEURISER_DAY else None
        return cycle.stream if cycle else self.day_stream(kind, equipment, ts)

    def equipment_of(self, probe_id: str) -> str:
        return self.owner.get(probe_id, (StreamKind.PROBE_DAY, probe_id))[1]

    def feed(self, reading: Reading, heard_until: int | None = None) -> list[Routed]:
        """The reading's consequences; a cycle it closes stays in ``cycles`` (``closed``).
        ``heard_until``: the horizon of the reading's link, if it is behind."""
        probe_id = reading.probe_id
        events: list[Event] = []
        health = self.health.get(probe_id)
        if health is not None:
            events += health.feed(reading, heard_until)
        kind, equipment = self.owner.get(probe_id, (StreamKind.PROBE_DAY, probe_id))
        if kind is StreamKind.PASTEURISER_DAY:
            cycle = self.cycles.get(equipment)
            if cycle is not None:
                events += cycle.machine.feed(reading)
            events += self.watchers[equipment].feed(reading)
        elif kind is StreamKind.ENCLOSURE_DAY:
            events += self._roll_day(equipment, reading.ts)
            events += self.bands[equipment].feed(reading)
        return self.route(events)

    def tick(self, now_ns: int, horizons: Mapping[str | None, int] | None = None) -> list[Routed]:
        """Time passes; ``horizons``: per link, the time up to which its input is known read."""
        events: list[Event] = []
        for source, machines in self._by_source.items():
            until = horizons.get(source) if horizons else None
            for health in machines:
                events += health.tick(now_ns, until)
        for enclosure_id, band in self.bands.items():
            events += self._roll_day(enclosure_id, now_ns)
            events += band.tick(now_ns)
        for cycle in self.cycles.values():
            events += cycle.machine.tick(now_ns)
        return self.route(events)

    def closed_cycles(self) -> list[ActiveCycle]:
        return [c for c in self.cycles.values() if c.machine.closed]

    def add_cycle(self, cycle: ActiveCycle, now_ns: int) -> list[Routed]:
        self.cycles[cycle.pasteuriser] = cycle
        return self.route(self.watchers[cycle.pasteuriser].cycle_started(now_ns, cycle.stream))

    def remove_cycle(self, cycle: ActiveCycle, now_ns: int) -> list[Routed]:
        self.cycles.pop(cycle.pasteuriser, None)
        return self.route(self.watchers[cycle.pasteuriser].cycle_ended(now_ns))

    # -- streams ----------------------------------------------------------------------------

    def day_stream(self, kind: StreamKind, equipment: str, ts: int) -> str:
        key = (kind, equipment, self._days.key(ts))
        name = self._day_streams.get(key)
        if name is None:
            if len(self._day_streams) >= 4 * len(self.source_of) + 100:  # days gone by
                self._day_streams.clear()
            name = self._day_streams[key] = day_stream(*key)
        return name

    def route(self, events: list[Event] | tuple[Event, ...]) -> list[Routed]:
        return [Routed(self.stream_of_event(event), event) for event in events]

    def stream_of_event(self, event: Event) -> str:
        subject = event.subject
        if isinstance(event, DaySummarised):  # the sheet closes the day it is about
            return self.day_stream(StreamKind.ENCLOSURE_DAY, subject, event.summary.start_ts)
        if parse_stream(subject).kind is StreamKind.CYCLE:
            return subject
        owner = self.owner.get(subject)
        if owner is None:  # the subject is a piece of equipment itself
            if subject in self.bands:
                owner = (StreamKind.ENCLOSURE_DAY, subject)
            elif subject in self.watchers:
                owner = (StreamKind.PASTEURISER_DAY, subject)
            elif subject in self.health:
                owner = (StreamKind.PROBE_DAY, subject)
            else:
                return "device"
        kind, equipment = owner
        cycle = self.cycles.get(equipment) if kind is StreamKind.PASTEURISER_DAY else None
        return cycle.stream if cycle else self.day_stream(kind, equipment, event.ts)

    # -- state ------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Every machine's state but the cycles' (a cycle is rebuilt from its own stream)."""
        return {
            "health": {k: m.snapshot() for k, m in self.health.items()},
            "bands": {k: m.snapshot() for k, m in self.bands.items()},
            "watchers": {k: m.snapshot() for k, m in self.watchers.items()},
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Take back a ``snapshot``; machines of equipment no longer configured are dropped,
        and new equipment keeps its fresh machine."""
        for key, state in data.get("health", {}).items():
            if key in self.health:
                self.health[key].state = state_from_dict(ProbeHealthState, state)
                # A new calibration due date in the settings wins over the recorded one.
                self.health[key].state.calibration_due_ns = self.health[key].spec.calibration_due_ns
        for key, state in data.get("bands", {}).items():
            if key in self.bands:
                self.bands[key].state = state_from_dict(BandState, state, {"day": DayStats})
        for key, state in data.get("watchers", {}).items():
            if key in self.watchers:
                self.watchers[key].state = state_from_dict(HeatingWatchState, state)

    def rebase(self, delta_ns: int) -> None:
        """The wall clock stepped by ``delta_ns``: every machine's time moves with it."""
        machines: list[Any] = [*self.health.values(), *self.bands.values()]
        machines += [*self.watchers.values(), *(c.machine for c in self.cycles.values())]
        for machine in machines:
            shift_stamps(machine.state, delta_ns)

    def latest_ts(self) -> int:
        """The latest time any machine has seen."""
        stamps = [h.state.now_ts for h in self.health.values()]
        stamps += [b.state.now_ts for b in self.bands.values()]
        return max(stamps, default=0)

    def _roll_day(self, enclosure_id: str, ts: int) -> list[Event]:
        """Close each local day that ended before ``ts``, at its midnight: a day the daemon
        was down through still gets its sheet, and a sheet never takes in the next day."""
        band = self.bands[enclosure_id]
        today = self._days.key(ts)
        events: list[Event] = []
        while band.state.day.day < today:
            following = date.fromisoformat(band.state.day.day) + timedelta(days=1)
            midnight = max(wiring.day_start_ns(following, self.zone), band.state.day.start_ts)
            events += band.new_day(midnight, following.isoformat())
        return events
