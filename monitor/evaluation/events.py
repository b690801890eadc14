"""Every event the evaluation core emits: one frozen class per kind, alarm meaning attached.

This is the catalogue: the cycle events are defined here, the cold-chain ones (band, daily
sheet, probe health) in ``cold_chain_events`` and re-exported here, the base class with
``Severity`` and ``Effect`` in ``event_base`` (see there for how the journal and the alarm
manager read them). Fields ending in ``_ts`` are UTC ns, ``_s`` seconds, ``_c`` °C.
Subjects: cycle id (cycle events), pasteuriser id (unregistered heating), enclosure id
(band events), probe id (probe health and rejected readings of a probe's own machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from monitor.evaluation.cold_chain_events import (
    CalibrationOverdueCleared as CalibrationOverdueCleared,
)
from monitor.evaluation.cold_chain_events import (
    CalibrationOverdueRaised as CalibrationOverdueRaised,
)
from monitor.evaluation.cold_chain_events import ExcursionAlarmed as ExcursionAlarmed
from monitor.evaluation.cold_chain_events import ExcursionEnded as ExcursionEnded
from monitor.evaluation.cold_chain_events import ExcursionStarted as ExcursionStarted
from monitor.evaluation.cold_chain_events import ProbeFaultCleared as ProbeFaultCleared
from monitor.evaluation.cold_chain_events import ProbeFaultRaised as ProbeFaultRaised
from monitor.evaluation.cold_chain_events import ProbeStaleCleared as ProbeStaleCleared
from monitor.evaluation.cold_chain_events import ProbeStaleRaised as ProbeStaleRaised
from monitor.evaluation.cold_chain_events import ProbeStuckCleared as ProbeStuckCleared
from monitor.evaluation.cold_chain_events import ProbeStuckRaised as ProbeStuckRaised
from monitor.evaluation.daily import DaySummarised as DaySummarised
from monitor.evaluation.event_base import Effect as Effect
from monitor.evaluation.event_base import Event as Event
from monitor.evaluation.event_base import FieldValue as FieldValue
from monitor.evaluation.event_base import Severity as Severity
from monitor.evaluation.verdict import CycleVerdict

_A, _W = Severity.ALARM, Severity.WARNING


@dataclass(frozen=True, slots=True)
class ReadingRejected(Event):
    """A reading not newer than the last one of its probe (or before the cycle) was ignored."""

    kind: ClassVar[str] = "reading_rejected"
    severity: ClassVar[Severity] = _W
    probe_id: str
    reading_ts: int
    last_ts: int | None
    reason: str


# -- pasteurisation cycle --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CycleRefused(Event):
    """A start was refused: a lot's bacteriology forbids the program, or the lot is destroyed."""

    kind: ClassVar[str] = "cycle_refused"
    severity: ClassVar[Severity] = _W
    program: str | None
    lots: str
    reason: str


@dataclass(frozen=True, slots=True)
class CycleStarted(Event):
    """A cycle started for its lots (comma-separated) with a program and a policy."""

    kind: ClassVar[str] = "cycle_started"
    program: str
    setpoint_c: float
    hold_s: float
    lots: str
    judged_probes: str
    judged_on_bath: bool
    hold_policy: str
    gap_limit_s: float
    overshoot_limit_c: float
    come_up_limit_s: float
    cooling_target_c: float
    cooling_limit_s: float


@dataclass(frozen=True, slots=True)
class HoldJudgedOnBath(Event):
    """No reference (milk) probe is configured: the hold is judged on the bath probe."""

    kind: ClassVar[str] = "hold_judged_on_bath"
    severity: ClassVar[Severity] = _W
    probe_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class HoldStarted(Event):
    """Every judged probe is fresh and at or above the setpoint: the hold timer runs."""

    kind: ClassVar[str] = "hold_started"
    coldest_c: float
    attempt: int


@dataclass(frozen=True, slots=True)
class HoldInterrupted(Event):
    """A dip below the setpoint or a gap in the data broke the hold (``cause`` dip or gap)."""

    kind: ClassVar[str] = "hold_interrupted"
    condition: ClassVar[str | None] = "hold_interrupted"
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _A
    cause: str
    probe_id: str
    value_c: float | None
    since_ts: int
    held_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class HoldInterruptionEnded(Event):
    """The end of an interruption: the hold restarted (``recovered``) or the cycle closed."""

    kind: ClassVar[str] = "hold_interruption_ended"
    condition: ClassVar[str | None] = "hold_interrupted"
    effect: ClassVar[Effect | None] = Effect.CLEAR
    cause: str
    since_ts: int
    lowest_c: float | None
    duration_s: float
    recovered: bool


@dataclass(frozen=True, slots=True)
class HoldCompleted(Event):
    """The hold lasted the program's time on fresh data at or above the setpoint."""

    kind: ClassVar[str] = "hold_completed"
    hold_started_ts: int
    held_s: float
    coldest_c: float


@dataclass(frozen=True, slots=True)
class OvershootStarted(Event):
    """A judged probe went above setpoint + margin (heat damages milk proteins)."""

    kind: ClassVar[str] = "overshoot_started"
    condition: ClassVar[str | None] = "overshoot"
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _A
    probe_id: str
    value_c: float
    limit_c: float


@dataclass(frozen=True, slots=True)
class OvershootEnded(Event):
    """Every judged probe is back at or below setpoint + margin, or the cycle closed."""

    kind: ClassVar[str] = "overshoot_ended"
    condition: ClassVar[str | None] = "overshoot"
    effect: ClassVar[Effect | None] = Effect.CLEAR
    since_ts: int
    peak_c: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class CoolingCompleted(Event):
    """Every judged probe is below the cooling target, ``cooling_s`` after the hold ended."""

    kind: ClassVar[str] = "cooling_completed"
    value_c: float
    cooling_s: float


@dataclass(frozen=True, slots=True)
class CycleClosed(Event):
    """A cycle's end, carrying its verdict; one subclass per outcome."""

    verdict: CycleVerdict

    def fields(self) -> dict[str, FieldValue]:
        return {"subject": self.subject, **self.verdict.fields()}


@dataclass(frozen=True, slots=True)
class CyclePassed(CycleClosed):
    """The hold and the cooling were proven."""

    kind: ClassVar[str] = "cycle_passed"


@dataclass(frozen=True, slots=True)
class CycleFailed(CycleClosed):
    """The hold or the cooling was not proven; ``verdict.reasons`` says why."""

    kind: ClassVar[str] = "cycle_failed"
    condition: ClassVar[str | None] = "cycle_failed"
    effect: ClassVar[Effect | None] = Effect.PULSE
    severity: ClassVar[Severity] = _A


@dataclass(frozen=True, slots=True)
class CycleAborted(CycleClosed):
    """A user stopped the cycle; nothing it did is proven."""

    kind: ClassVar[str] = "cycle_aborted"
    severity: ClassVar[Severity] = _W


@dataclass(frozen=True, slots=True)
class UnregisteredHeatingStarted(Event):
    """A pasteuriser heats with no cycle started: an unregistered cycle, to link to lots."""

    kind: ClassVar[str] = "unregistered_heating_started"
    condition: ClassVar[str | None] = "unregistered_cycle"
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _A
    probe_id: str
    value_c: float
    threshold_c: float


@dataclass(frozen=True, slots=True)
class UnregisteredHeatingEnded(Event):
    """The unregistered heating ended: cooled down, or a cycle (``cycle_id``) was started."""

    kind: ClassVar[str] = "unregistered_heating_ended"
    condition: ClassVar[str | None] = "unregistered_cycle"
    effect: ClassVar[Effect | None] = Effect.CLEAR
    since_ts: int
    peak_c: float
    duration_s: float
    cycle_id: str | None
    reason: str
