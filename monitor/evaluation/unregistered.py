"""Heating on a pasteuriser with no cycle started: an unregistered cycle, never ignored.

docs/RULES.md, Pasteurisation: "the temperature is recorded for the whole cycle ... linked to
its lots" (Arrêté 10 Feb 1995 II). A pasteuriser that heats while no cycle is running (the
technician forgot to start it, or started it late) produced milk nobody can prove; the
watcher raises an ``unregistered_cycle`` alarm so the episode is linked to lots later.

One watcher per pasteuriser, fed every probe of it. The episode starts at the first usable
reading above ``threshold_c`` (45 °C) while no cycle runs; it ends when every probe is back
at or below ``threshold_c - deadband_c``, or when a cycle is started (the end event names
it). After a cycle ends the watcher re-arms only once the pasteuriser has cooled that far,
so the still-hot bath of a cycle that just closed is not taken for a new one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Self

from monitor.evaluation.event_base import Event
from monitor.evaluation.events import UnregisteredHeatingEnded, UnregisteredHeatingStarted
from monitor.evaluation.ordering import reject_out_of_order
from monitor.evaluation.params import HeatingWatchSpec
from monitor.evaluation.state import state_from_dict, state_to_dict
from monitor.evaluation.text import seconds
from monitor.reading import Quality, Reading


@dataclass(slots=True)
class HeatingWatchState:
    """Plain data: last values per probe, the open episode, and whether a cycle runs."""

    now_ts: int = 0
    seen_ts: dict[str, int] = field(default_factory=dict)
    latest_c: dict[str, float] = field(default_factory=dict)
    cycle_id: str | None = None
    armed: bool = True
    since_ts: int | None = None
    peak_c: float = 0.0


class UnregisteredHeatingWatcher:
    """Watches one pasteuriser between cycles; ``cycle_started``/``cycle_ended`` gate it."""

    __slots__ = ("_clear_c", "_probes", "_threshold_c", "pasteuriser_id", "spec", "state")

    def __init__(
        self,
        pasteuriser_id: str,
        probe_ids: Iterable[str],
        spec: HeatingWatchSpec | None = None,
        state: HeatingWatchState | None = None,
    ) -> None:
        self.pasteuriser_id = pasteuriser_id
        self._probes = frozenset(probe_ids)
        if not self._probes:
            raise ValueError(f"pasteuriser {pasteuriser_id}: the watcher needs a probe")
        self.spec = spec or HeatingWatchSpec()
        self._threshold_c = self.spec.threshold_c
        self._clear_c = self.spec.threshold_c - self.spec.deadband_c
        self.state = state or HeatingWatchState()

    def snapshot(self) -> dict[str, Any]:
        return state_to_dict(self.state)

    @classmethod
    def restore(
        cls, pasteuriser_id: str, probe_ids: Iterable[str], spec: HeatingWatchSpec | None,
        data: dict[str, Any],
    ) -> Self:  # fmt: skip
        return cls(pasteuriser_id, probe_ids, spec, state_from_dict(HeatingWatchState, data))

    def feed(self, reading: Reading) -> tuple[Event, ...]:
        s = self.state
        if reading.probe_id not in self._probes:
            return ()
        rejected = reject_out_of_order(s.seen_ts, reading, self.pasteuriser_id, s.now_ts)
        if rejected is not None:
            return (rejected,)
        s.now_ts = max(s.now_ts, reading.ts)
        value = reading.value
        if reading.quality is Quality.FAULT or not math.isfinite(value):
            return ()
        s.latest_c[reading.probe_id] = value
        if s.cycle_id is not None:
            return ()
        if s.since_ts is not None:
            if value > s.peak_c:
                s.peak_c = value
            if max(s.latest_c.values()) <= self._clear_c:
                return (self._end(None, "the pasteuriser cooled down"),)
            return ()
        if not s.armed:
            s.armed = max(s.latest_c.values()) <= self._clear_c
            return ()
        if value > self._threshold_c:
            s.since_ts, s.peak_c = reading.ts, value
            return (
                UnregisteredHeatingStarted(
                    s.now_ts, self.pasteuriser_id, reading.probe_id, value, self._threshold_c
                ),
            )
        return ()

    def cycle_started(self, ts: int, cycle_id: str) -> tuple[Event, ...]:
        """A cycle now runs: an open episode ends, linked to it; nothing is watched meanwhile."""
        s = self.state
        s.now_ts = max(s.now_ts, ts)
        s.cycle_id = cycle_id
        if s.since_ts is None:
            return ()
        return (self._end(cycle_id, f"cycle {cycle_id} was started"),)

    def cycle_ended(self, ts: int) -> tuple[Event, ...]:
        """The cycle closed: watch again once the pasteuriser has cooled below the deadband."""
        s = self.state
        s.now_ts = max(s.now_ts, ts)
        s.cycle_id = None
        s.armed = bool(s.latest_c) and max(s.latest_c.values()) <= self._clear_c
        return ()

    def _end(self, cycle_id: str | None, reason: str) -> UnregisteredHeatingEnded:
        s = self.state
        since = s.since_ts
        assert since is not None
        s.since_ts = None
        s.armed = cycle_id is None
        duration = seconds(max(0, s.now_ts - since))
        return UnregisteredHeatingEnded(
            s.now_ts, self.pasteuriser_id, since, s.peak_c, duration, cycle_id, reason
        )
