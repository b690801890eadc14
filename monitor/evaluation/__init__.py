"""The pure evaluation core: DOMAIN.md's rules as state machines, readings in, events out.

No I/O, no clock, no database: each machine is fed ``Reading``s, ``Tick``s (time passing)
and a few commands, and answers with events (``events``); its state is plain data that a
journal can store and restore (``snapshot``/``restore``). Where each rule lives:

- which program may treat which lots, and which lots are destroyed: ``lots``;
- the pasteurisation cycle (hold, dips, gaps, overshoot, come-up, cooling): ``cycle``, with
  its start in ``cycle_start``, its figures and verdict in ``cycle_report``;
- heating with no cycle started: ``unregistered``;
- the fridge and freezer band (delay, gross limits, deadband): ``band``; the daily sheet:
  ``daily``;
- stale, faulty, stuck and uncalibrated probes: ``probe_health``;
- readings out of order: ``ordering``; parameters and their defaults: ``params``.
"""

from monitor.evaluation.band import BandMachine, BandState
from monitor.evaluation.cycle import CycleMachine
from monitor.evaluation.cycle_setup import CycleProbes, CycleSetup, CycleState, Phase
from monitor.evaluation.cycle_start import start_cycle, start_events
from monitor.evaluation.daily import DailySummary, DayStats
from monitor.evaluation.event_base import Effect, Event, FieldValue, Severity
from monitor.evaluation.inputs import AbortCycle, Input, Machine, NewDay, Tick, run
from monitor.evaluation.lots import (
    LotBacteriology,
    StartRefused,
    check_program,
    choose_program,
    destruction_reason,
    refusal_reason,
)
from monitor.evaluation.params import (
    DEFAULT_PROGRAMS,
    HOLDER58,
    HOLDER63,
    BandSpec,
    CyclePolicy,
    FloraLimits,
    HeatingWatchSpec,
    ProbeHealthSpec,
    Program,
    gap_limit_for,
)
from monitor.evaluation.probe_health import ProbeHealth, ProbeHealthState
from monitor.evaluation.state import state_from_dict, state_to_dict
from monitor.evaluation.unregistered import HeatingWatchState, UnregisteredHeatingWatcher
from monitor.evaluation.verdict import CycleMetrics, CycleVerdict, Outcome

__all__ = [
    "DEFAULT_PROGRAMS",
    "HOLDER58",
    "HOLDER63",
    "AbortCycle",
    "BandMachine",
    "BandSpec",
    "BandState",
    "CycleMachine",
    "CycleMetrics",
    "CyclePolicy",
    "CycleProbes",
    "CycleSetup",
    "CycleState",
    "CycleVerdict",
    "DailySummary",
    "DayStats",
    "Effect",
    "Event",
    "FieldValue",
    "FloraLimits",
    "HeatingWatchSpec",
    "HeatingWatchState",
    "Input",
    "LotBacteriology",
    "Machine",
    "NewDay",
    "Outcome",
    "Phase",
    "ProbeHealth",
    "ProbeHealthSpec",
    "ProbeHealthState",
    "Program",
    "Severity",
    "StartRefused",
    "Tick",
    "UnregisteredHeatingWatcher",
    "check_program",
    "choose_program",
    "destruction_reason",
    "gap_limit_for",
    "refusal_reason",
    "run",
    "start_cycle",
    "start_events",
    "state_from_dict",
    "state_to_dict",
]
