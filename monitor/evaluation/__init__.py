"""The pure evaluation core: docs/RULES.md's rules as state machines, readings in, events out.

No I/O, no clock, no database: each machine is fed ``Reading``s, ``Tick``s (time passing)
and a few commands, and answers with events (``events``); its state is plain data that a
journal can store and restore (``snapshot``/``restore``). Where each rule lives:

- which program may treat which lots, and which lots are destroyed: ``lot_rules``; how long
  milk may wait at each step of its life and when its control is positive: ``lot_life``;
- the pasteurisation cycle (hold, come-up, cooled milk, cooling): ``cycle``; its dips, gaps,
  probe faults and settling, and its closing: ``cycle_breaks``; overshoot and a slow
  come-up: ``cycle_alerts``; the words of its alarms and verdict: ``cycle_reasons``; its
  start in ``cycle_start``, its figures and verdict in ``cycle_report``;
- heating with no cycle started: ``unregistered``;
- the fridge and freezer band (delay in measured time, gross limits, deadband, silence):
  ``band``; the daily sheet, measured and unmeasured time apart: ``daily``;
- stale, faulty, stuck and uncalibrated probes: ``probe_health``;
- readings out of order: ``ordering``; parameters and their defaults: ``params``, checked
  with ``checks``.

Every stamp a state holds is a field named ``*_ts`` (or a key so named in its records), so
that a service can move them all when the wall clock steps.
"""

from monitor.evaluation.band import BandMachine, BandState
from monitor.evaluation.cycle import CycleMachine
from monitor.evaluation.cycle_setup import CycleProbes, CycleSetup, CycleState, Phase
from monitor.evaluation.cycle_start import start_cycle, start_events
from monitor.evaluation.daily import DailySummary, DayStats
from monitor.evaluation.event_base import Effect, Event, FieldValue, Severity
from monitor.evaluation.inputs import AbortCycle, Input, Machine, NewDay, Tick, run
from monitor.evaluation.lot_rules import (
    LotBacteriology,
    StartRefused,
    check_program,
    choose_program,
    destruction_reason,
    refusal_reason,
)
from monitor.evaluation.params import (
    DEFAULT_PROGRAMS,
    FREEZER_DEFAULTS,
    FRIDGE_DEFAULTS,
    HOLDER58,
    HOLDER62_5,
    HOLDER63,
    PROGRAM_PRESETS,
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
    "FREEZER_DEFAULTS",
    "FRIDGE_DEFAULTS",
    "HOLDER58",
    "HOLDER62_5",
    "HOLDER63",
    "PROGRAM_PRESETS",
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
