"""The pasteuriser's events (cycles, unregistered heating) and ``ReadingRejected``.

One frozen class per kind, alarm meaning attached. The cold-chain events (band, probe
health) are defined in ``cold_chain_events``, the daily sheet's ``DaySummarised`` in
``daily``, the base class with ``Severity`` and ``Effect`` in ``event_base`` (see there for
how the journal and the alarm manager read them); each is imported from where it is defined.
Fields ending in ``_ts`` are UTC ns, ``_s`` seconds, ``_c`` °C. Subjects: cycle id (cycle
events), pasteuriser id (unregistered heating); a rejected reading carries the subject of the
machine that rejected it (cycle, enclosure or probe id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from monitor.alarms.model import Priority
from monitor.evaluation.event_base import Effect, Event, FieldValue, Severity
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
    """A cycle started for its lots (comma-separated) with a program and a policy.

    ``cooled_fail_below_c`` is the setpoint minus the cooling fail margin: milk below it
    before a complete hold fails the cycle at once (docs/RULES.md, How the hold is read
    from real probes, H7).
    """

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
    settle_s: float
    cooled_fail_below_c: float
    come_up_warning_s: float


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
class HoldSettling(Event):
    """A dip while the milk probe levels off at the setpoint restarted the timer: no alarm.

    docs/RULES.md, How the hold is read from real probes, H6: within ``settle_s`` (120 s) of
    the coldest milk probe's first crossing of the setpoint, a dip (63.0, 62.9, 63.0 in
    tenths) is recorded, never an alarm.
    """

    kind: ClassVar[str] = "hold_settling"
    probe_id: str
    value_c: float
    since_ts: int
    held_s: float
    settle_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class HoldInterrupted(Event):
    """A dip below the setpoint, a gap in the data or a probe fault broke the hold.

    ``cause`` is ``dip``, ``gap`` or ``fault`` (only faulty readings since the last valid
    one); ``reason`` is the alarm's text, and the verdict of a failed cycle lists it.
    """

    kind: ClassVar[str] = "hold_interrupted"
    condition: ClassVar[str | None] = "hold_interrupted"
    priority: ClassVar[Priority | None] = Priority.CRITICAL
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
    priority: ClassVar[Priority | None] = Priority.CRITICAL
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
    priority: ClassVar[Priority | None] = Priority.HIGH
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
    priority: ClassVar[Priority | None] = Priority.HIGH
    effect: ClassVar[Effect | None] = Effect.CLEAR
    since_ts: int
    peak_c: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class ComeUpSlow(Event):
    """Half the come-up limit is spent and the setpoint is not reached: a warning (P11)."""

    kind: ClassVar[str] = "come_up_slow"
    condition: ClassVar[str | None] = "come_up_slow"
    priority: ClassVar[Priority | None] = Priority.MEDIUM
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _W
    elapsed_s: float
    limit_s: float
    coldest_c: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class ComeUpSlowEnded(Event):
    """The setpoint was reached after all (``reached``), or the cycle closed."""

    kind: ClassVar[str] = "come_up_slow_ended"
    condition: ClassVar[str | None] = "come_up_slow"
    priority: ClassVar[Priority | None] = Priority.MEDIUM
    effect: ClassVar[Effect | None] = Effect.CLEAR
    since_ts: int
    reached: bool
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
    priority: ClassVar[Priority | None] = Priority.CRITICAL
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
    priority: ClassVar[Priority | None] = Priority.HIGH
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
    priority: ClassVar[Priority | None] = Priority.HIGH
    effect: ClassVar[Effect | None] = Effect.CLEAR
    since_ts: int
    peak_c: float
    duration_s: float
    cycle_id: str | None
    reason: str
