"""A lot's state, from its dossier and its cycles' verdicts: the one home of the state words.

docs/RULES.md, The lot's life (Arrêté 10 Feb 1995 V–IX). In order:

| state | the lot |
|---|---|
| ``quarantine`` | raw milk: no cycle linked |
| ``pasteurising`` | a linked cycle has no verdict yet |
| ``not_pasteurised`` | a linked cycle failed or was aborted: it may never be released |
| ``pasteurised`` | every linked cycle passed; the control after pasteurisation awaited |
| ``controlled`` | the control after pasteurisation is negative; release awaited |
| ``positive`` | the control after pasteurisation is positive: it must be destroyed (L9) |
| ``released`` | released by a supervisor; given out in parts until none is left |
| ``distributed`` | closed: every bottle or millilitre given out |
| ``destroyed`` | closed: what was left is destroyed, with the reason |

A cycle's verdict is its last closing record (``cycle_passed``, ``cycle_failed``,
``cycle_aborted``). Where the lot is (its open stay) and what is left of it are kept beside
the state: a released lot may be in a freezer, in a fridge, or in no enclosure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from monitor.evaluation.lot_life import LotLimits, positive_control, use_by_ns
from monitor.journal.dossier import Act, Bacteriology, LotDossier, Stay
from monitor.journal.record import Record

CLOSING = {"cycle_passed": "PASS", "cycle_failed": "FAIL", "cycle_aborted": "ABORTED"}
# A volume given out within this of the lot's is all of it: sums of decimals are not exact.
VOLUME_EPSILON_ML = 1e-6


class LotState(StrEnum):
    QUARANTINE = "quarantine"
    PASTEURISING = "pasteurising"
    NOT_PASTEURISED = "not_pasteurised"
    PASTEURISED = "pasteurised"
    CONTROLLED = "controlled"
    POSITIVE = "positive"
    RELEASED = "released"
    DISTRIBUTED = "distributed"
    DESTROYED = "destroyed"


WORDS: dict[LotState, str] = {
    LotState.QUARANTINE: "raw milk in quarantine",
    LotState.PASTEURISING: "being pasteurised",
    LotState.NOT_PASTEURISED: "not pasteurised",
    LotState.PASTEURISED: "pasteurised, awaiting the control after pasteurisation",
    LotState.CONTROLLED: "pasteurised and controlled negative, awaiting release",
    LotState.POSITIVE: "positive control after pasteurisation: to be destroyed",
    LotState.RELEASED: "released",
    LotState.DISTRIBUTED: "all distributed",
    LotState.DESTROYED: "destroyed",
}
CLOSED = frozenset({LotState.DISTRIBUTED, LotState.DESTROYED})
PASTEURISED_STATES = frozenset({LotState.PASTEURISED, LotState.CONTROLLED, LotState.POSITIVE})


@dataclass(frozen=True, slots=True)
class CycleOutcome:
    """A cycle's verdict (``PASS``, ``FAIL``, ``ABORTED``; "" without a closing record)."""

    verdict: str = ""
    reasons: str = ""
    closed_ns: int | None = None

    @property
    def words(self) -> str:
        if not self.verdict:
            return "no verdict yet"
        return self.verdict + (f": {self.reasons}" if self.reasons else "")


def cycle_outcome(records: Iterable[Record]) -> CycleOutcome:
    """The verdict of a cycle's stream: its last closing record."""
    closing = [r for r in sorted(records, key=lambda r: r.seq) if r.kind in CLOSING]
    if not closing:
        return CycleOutcome()
    last = closing[-1]
    return CycleOutcome(CLOSING[last.kind], str(last.fields.get("reasons", "")), last.ts)


@dataclass(frozen=True, slots=True)
class LotStatus:
    """Where a lot stands: its state and why, where it is, what is left, its dates."""

    lot: str
    state: LotState
    why: str
    created_ns: int | None = None
    pasteurised_ns: int | None = None  # the end of its last linked cycle, all of them passed
    use_by_ns: int | None = None
    control: Bacteriology | None = None  # the control after pasteurisation
    positive: str = ""  # why that control is positive
    released: Act | None = None
    destroyed: Act | None = None
    bottles_left: int | None = None  # None: the lot was not counted in bottles
    volume_left_ml: float | None = None  # None: not measured in mL
    stay: Stay | None = None
    frozen_since_pasteurisation: bool = False

    @property
    def closed(self) -> bool:
        return self.state in CLOSED

    @property
    def location(self) -> str | None:
        return None if self.stay is None else self.stay.enclosure

    @property
    def words(self) -> str:
        return WORDS[self.state]


def amount(bottles: int | None, volume_ml: float | None) -> str:
    """``2 bottle(s), 180 mL``: what a lot holds or a distribution gives."""
    parts = []
    if bottles:
        parts.append(f"{bottles} bottle(s)")
    if volume_ml:
        parts.append(f"{volume_ml:g} mL")
    return ", ".join(parts) or "nothing counted"


def lot_status(
    dossier: LotDossier,
    outcomes: Mapping[str, CycleOutcome],
    limits: LotLimits,
    freezers: Iterable[str] = (),
) -> LotStatus:
    """The lot's state from its dossier (corrections applied) and its cycles' outcomes;
    ``freezers`` names the enclosures that freeze, for ``frozen_since_pasteurisation``."""
    state, why, pasteurised = _pasteurisation(dossier, outcomes)
    control = dossier.latest_bacteriology("after")
    positive = ""
    if control is not None:
        positive = positive_control(control.total_flora_cfu_ml, control.s_aureus_cfu_ml, limits)
    if state is LotState.PASTEURISED and control is not None:
        state = LotState.POSITIVE if positive else LotState.CONTROLLED
        why = positive or "negative control after pasteurisation"
    released = _last(dossier.valid_acts("lot_released"))
    destroyed = _last(dossier.valid_acts("lot_destroyed"))
    bottles_left, volume_left = _left(dossier)
    if destroyed is not None:
        state, why = LotState.DESTROYED, destroyed.reason
    elif _all_given_out(bottles_left, volume_left) and dossier.given_out:
        state, why = LotState.DISTRIBUTED, f"{len(dossier.given_out)} distribution(s)"
    elif released is not None:
        state, why = LotState.RELEASED, f"by {released.printed_name or released.user}"
    open_stays = [s for s in dossier.stays if s.out_ts is None]
    return LotStatus(
        lot=dossier.lot,
        state=state,
        why=why,
        created_ns=dossier.created_ts,
        pasteurised_ns=pasteurised,
        use_by_ns=None if pasteurised is None else use_by_ns(pasteurised, limits),
        control=control,
        positive=positive,
        released=released,
        destroyed=destroyed,
        bottles_left=bottles_left,
        volume_left_ml=volume_left,
        stay=open_stays[-1] if open_stays else None,
        frozen_since_pasteurisation=_frozen_since(dossier, set(freezers), pasteurised),
    )


def _pasteurisation(
    dossier: LotDossier, outcomes: Mapping[str, CycleOutcome]
) -> tuple[LotState, str, int | None]:
    linked = dossier.linked_cycles
    if not linked:
        return LotState.QUARANTINE, "no cycle linked", None
    failed, waiting, ends = [], [], []
    for cycle in linked:
        outcome = outcomes.get(cycle, CycleOutcome())
        if not outcome.verdict:
            waiting.append(cycle)
        elif outcome.verdict != "PASS":
            failed.append(f"cycle {cycle} {outcome.verdict}")  # its reasons: its own line
        elif outcome.closed_ns is not None:
            ends.append(outcome.closed_ns)
    if failed:
        return LotState.NOT_PASTEURISED, "; ".join(failed), None
    if waiting:
        return LotState.PASTEURISING, f"cycle {', '.join(waiting)} has no verdict yet", None
    return LotState.PASTEURISED, "every linked cycle passed", max(ends, default=None)


def _frozen_since(dossier: LotDossier, freezers: set[str], pasteurised: int | None) -> bool:
    """Whether the lot has been in a freezer since the end of its pasteurisation."""
    if pasteurised is None:
        return False
    return any(
        s.enclosure in freezers and (s.out_ts is None or s.out_ts >= pasteurised)
        for s in dossier.stays
    )


def _left(dossier: LotDossier) -> tuple[int | None, float | None]:
    given = dossier.given_out
    bottles = dossier.bottles - sum(d.bottles for d in given) if dossier.bottles else None
    volume = dossier.volume_ml - sum(d.volume_ml for d in given) if dossier.volume_ml else None
    return bottles, volume


def _all_given_out(bottles_left: int | None, volume_left: float | None) -> bool:
    return (bottles_left is not None and bottles_left <= 0) or (
        volume_left is not None and volume_left <= VOLUME_EPSILON_ML
    )


def _last(acts: list[Act]) -> Act | None:
    return acts[-1] if acts else None
