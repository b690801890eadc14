"""What a pasteurisation cycle is started with, its state as plain data, and its phases."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from monitor.evaluation.event_base import FieldValue
from monitor.evaluation.params import CyclePolicy, Program


class Phase(StrEnum):
    """heating → holding → cooling → closed (pass or fail); aborted from any open phase."""

    HEATING = "heating"
    HOLDING = "holding"
    COOLING = "cooling"
    CLOSED = "closed"
    ABORTED = "aborted"


@dataclass(frozen=True, slots=True)
class CycleProbes:
    """The probes that judge the hold: the reference (milk) probes, else the bath probe.

    docs/RULES.md: "judge the hold on the coldest *milk* probe (reference bottle), not only the
    bath" (Décret 55-771 art. 6; HMBANA control bottle). With no reference probe the bath is
    judged and every record of the cycle says so.
    """

    reference_ids: tuple[str, ...]
    bath_id: str | None = None

    def __post_init__(self) -> None:
        ids = [*self.reference_ids, *([self.bath_id] if self.bath_id is not None else [])]
        if not ids:
            raise ValueError("a cycle needs a reference (milk) probe or a bath probe")
        bad = [i for i in ids if not isinstance(i, str) or not i or "," in i]
        if bad:
            raise ValueError(f"probe ids must be non-empty strings without ',', got {bad!r}")
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"probe(s) listed twice: {', '.join(doubles)}")

    @property
    def judged_on_bath(self) -> bool:
        return not self.reference_ids

    @property
    def judged_ids(self) -> tuple[str, ...]:
        if self.reference_ids:
            return self.reference_ids
        assert self.bath_id is not None  # __post_init__ guarantees one probe at least
        return (self.bath_id,)


@dataclass(frozen=True, slots=True)
class CycleSetup:
    """Everything fixed when a cycle starts: with ``CycleState`` it is the whole machine."""

    cycle_id: str
    started_ts: int
    program: Program
    lot_ids: tuple[str, ...]
    probes: CycleProbes
    policy: CyclePolicy

    def __post_init__(self) -> None:
        if not isinstance(self.cycle_id, str) or not self.cycle_id:
            raise ValueError(f"cycle_id must be a non-empty string, got {self.cycle_id!r}")
        if isinstance(self.started_ts, bool) or not isinstance(self.started_ts, int):
            raise ValueError(f"started_ts must be integer nanoseconds, got {self.started_ts!r}")
        if not self.lot_ids:
            raise ValueError("a cycle needs at least one lot")
        target, setpoint = self.policy.cooling_target_c, self.program.setpoint_c
        if target >= setpoint:
            raise ValueError(
                f"cooling_target_c {target:g} must be below the setpoint {setpoint:g} of "
                f"{self.program.name}"
            )


@dataclass(slots=True)
class CycleState:
    """Everything a cycle has learnt so far, as plain data (see ``state.state_to_dict``).

    Per judged probe: the stamp of its last accepted reading (``seen_ts``, for the order
    rule), of its last usable one (``evidence_ts``, for gaps), that value (``latest_c``) and,
    while only faulty readings followed it, the first fault's detail (``fault_detail``).
    ``hold_started_ts`` is set while the hold timer runs; ``interrupted_since_ts`` while a
    broken hold waits to restart, with the other ``interruption_*`` fields (the silent
    probe's first valid reading again in ``interruption_back_ts``), and the finished ones in
    ``interruptions`` (the verdict names them, see ``cycle_reasons``);
    ``come_up_slow_since_ts`` while the slow come-up warning is raised; ``plateau_*`` and the
    rest feed the verdict's figures.
    """

    started_ts: int
    phase: Phase = Phase.HEATING
    now_ts: int = 0
    seen_ts: dict[str, int] = field(default_factory=dict)
    evidence_ts: dict[str, int] = field(default_factory=dict)
    latest_c: dict[str, float] = field(default_factory=dict)
    hold_started_ts: int | None = None
    hold_attempts: int = 0
    hold_restarts: int = 0
    hold_completed_ts: int | None = None
    interrupted_since_ts: int | None = None
    interruption_cause: str = ""
    interruption_lowest_c: float | None = None
    overshoot_since_ts: int | None = None
    overshoot_peak_c: float = 0.0
    overshoots: int = 0
    last_eval_ts: int | None = None
    last_coldest_c: float = 0.0
    mark_reached_ts: int | None = None
    setpoint_reached_ts: int | None = None
    above_mark_ns: int = 0
    plateau_started_ts: int | None = None
    plateau_last_ts: int | None = None
    plateau_open: bool = False
    hold_min_c: float | None = None
    hold_max_c: float | None = None
    cooled_ts: int | None = None
    closed_ts: int | None = None
    outcome: str | None = None
    reasons: list[str] = field(default_factory=list)
    fault_detail: dict[str, str] = field(default_factory=dict)
    interruption_probe: str = ""
    interruption_value_c: float | None = None
    interruption_text: str = ""
    interruption_settling: bool = False
    interruption_back_ts: int | None = None
    interruptions: list[dict[str, FieldValue]] = field(default_factory=list)
    come_up_slow_since_ts: int | None = None
    # Stamps are the fields (and the keys of ``interruptions``) named ``*_ts``: a service
    # moves them all when the wall clock steps; durations are named otherwise.

    def __post_init__(self) -> None:
        self.phase = Phase(self.phase)  # a restored state carries the phase as a string
        if self.now_ts < self.started_ts:
            self.now_ts = self.started_ts
