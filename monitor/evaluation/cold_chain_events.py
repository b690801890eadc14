"""Cold-chain events: band excursions and the health of each probe.

The pasteuriser's events are in ``events``, the daily sheet's ``DaySummarised`` in ``daily``.
Subjects: enclosure id for band events, probe id for probe health. Fields ending in ``_ts``
are UTC ns, ``_s`` seconds, ``_c`` °C.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from monitor.alarms.model import Priority
from monitor.evaluation.event_base import Effect, Event, Severity

_A, _W = Severity.ALARM, Severity.WARNING


# -- cold-chain band ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExcursionStarted(Event):
    """The enclosure left its band (``side`` high or low); the alarm waits for the delay."""

    kind: ClassVar[str] = "excursion_started"
    side: str
    probe_id: str
    value_c: float
    low_c: float | None
    high_c: float


@dataclass(frozen=True, slots=True)
class ExcursionAlarmed(Event):
    """An excursion lasted the delay, or crossed a gross limit (``gross``): an alarm.

    ``measured_out_s`` is the measured time out of band so far (what the delay counts),
    ``unmeasured_out_s`` the time of the excursion no reading covered (docs/RULES.md, Cold
    chain, C7).
    """

    kind: ClassVar[str] = "excursion_alarmed"
    condition: ClassVar[str | None] = "band"
    priority: ClassVar[Priority | None] = Priority.CRITICAL
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _A
    since_ts: int
    side: str
    value_c: float
    gross: bool
    reason: str
    measured_out_s: float
    unmeasured_out_s: float


@dataclass(frozen=True, slots=True)
class ExcursionEnded(Event):
    """Back inside the band by the deadband; ``worst_c`` is the value farthest out.

    ``duration_s`` is the excursion's whole span; of it, ``measured_out_s`` was covered by
    readings and ``unmeasured_out_s`` was not (docs/RULES.md, Cold chain, C7).
    """

    kind: ClassVar[str] = "excursion_ended"
    condition: ClassVar[str | None] = "band"
    priority: ClassVar[Priority | None] = Priority.CRITICAL
    effect: ClassVar[Effect | None] = Effect.CLEAR
    since_ts: int
    duration_s: float
    worst_c: float
    alarmed: bool
    measured_out_s: float
    unmeasured_out_s: float


# -- probe health ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProbeStaleRaised(Event):
    """No data from the probe for more than its stale limit (docs/RULES.md: 3 sample periods)."""

    kind: ClassVar[str] = "probe_stale_raised"
    condition: ClassVar[str | None] = "stale"
    priority: ClassVar[Priority | None] = Priority.HIGH
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _A
    last_ts: int
    stale_after_s: float


@dataclass(frozen=True, slots=True)
class ProbeStaleCleared(Event):
    """The silent probe sent data again after ``silent_s`` seconds."""

    kind: ClassVar[str] = "probe_stale_cleared"
    condition: ClassVar[str | None] = "stale"
    priority: ClassVar[Priority | None] = Priority.HIGH
    effect: ClassVar[Effect | None] = Effect.CLEAR
    silent_s: float


@dataclass(frozen=True, slots=True)
class ProbeFaultRaised(Event):
    """A physically impossible value or a driver fault; ``value_c`` None when not finite."""

    kind: ClassVar[str] = "probe_fault_raised"
    condition: ClassVar[str | None] = "fault"
    priority: ClassVar[Priority | None] = Priority.CRITICAL
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _A
    value_c: float | None
    detail: str


@dataclass(frozen=True, slots=True)
class ProbeFaultCleared(Event):
    """The probe sent a usable value again."""

    kind: ClassVar[str] = "probe_fault_cleared"
    condition: ClassVar[str | None] = "fault"
    priority: ClassVar[Priority | None] = Priority.CRITICAL
    effect: ClassVar[Effect | None] = Effect.CLEAR
    value_c: float


@dataclass(frozen=True, slots=True)
class ProbeStuckRaised(Event):
    """The probe has sent the identical value since ``since_ts`` for the stuck limit or more."""

    kind: ClassVar[str] = "probe_stuck_raised"
    condition: ClassVar[str | None] = "stuck"
    priority: ClassVar[Priority | None] = Priority.MEDIUM
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _W
    value_c: float
    since_ts: int


@dataclass(frozen=True, slots=True)
class ProbeStuckCleared(Event):
    """The value moved again."""

    kind: ClassVar[str] = "probe_stuck_cleared"
    condition: ClassVar[str | None] = "stuck"
    priority: ClassVar[Priority | None] = Priority.MEDIUM
    effect: ClassVar[Effect | None] = Effect.CLEAR
    value_c: float


@dataclass(frozen=True, slots=True)
class CalibrationOverdueRaised(Event):
    """The probe's calibration was due at ``due_ts`` and has expired (a warning)."""

    kind: ClassVar[str] = "calibration_overdue_raised"
    condition: ClassVar[str | None] = "calibration"
    priority: ClassVar[Priority | None] = Priority.MEDIUM
    effect: ClassVar[Effect | None] = Effect.RAISE
    severity: ClassVar[Severity] = _W
    due_ts: int


@dataclass(frozen=True, slots=True)
class CalibrationOverdueCleared(Event):
    """A new calibration due date (None: none known) puts the probe back in calibration."""

    kind: ClassVar[str] = "calibration_overdue_cleared"
    condition: ClassVar[str | None] = "calibration"
    priority: ClassVar[Priority | None] = Priority.MEDIUM
    effect: ClassVar[Effect | None] = Effect.CLEAR
    due_ts: int | None
