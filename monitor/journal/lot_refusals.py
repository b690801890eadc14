"""What may be done to a lot in its state, and why not: each check returns the refusal or None.

docs/RULES.md, The lot's life, L13: a lot is released only by a supervisor (checked where
people sign in), only once every linked cycle passed and its control after pasteurisation is
negative (Arrêté 1995 VII, IX); only a released lot is distributed, never more than it holds
nor past its use-by date (VIII); nothing is done to a closed lot (destroyed or all of it
distributed) but a supervisor's correction. A refusal records nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from monitor.journal.lot_state import PASTEURISED_STATES, VOLUME_EPSILON_ML, LotState, LotStatus

NOT_PASTEURISED = frozenset({LotState.QUARANTINE, LotState.PASTEURISING, LotState.NOT_PASTEURISED})
# Acts whose correction changes what a supervisor signed for (the release rests on the
# control and the cycles): once the lot is released, any correction is a supervisor's.
SUPERVISED_KINDS = frozenset({"lot_released", "lot_destroyed", "lot_decided"})


def closed_refusal(status: LotStatus, act: str) -> str | None:
    """Nothing is done to a destroyed or closed lot."""
    if status.closed:
        return f"lot {status.lot} is {status.words} ({status.why}): it cannot be {act}"
    return None


def control_refusal(status: LotStatus, stage: str = "after") -> str | None:
    """A result before pasteurisation is recorded while the lot is raw; the control after
    it once the lot's cycles passed, before its release."""
    if refused := closed_refusal(status, "controlled"):
        return refused
    if stage == "before":
        if status.state is not LotState.QUARANTINE:
            return (
                f"lot {status.lot} is {status.words}: a result before pasteurisation is "
                "recorded before its first cycle"
            )
        return None
    if status.state is LotState.RELEASED:
        return (
            f"lot {status.lot} is released: its control after pasteurisation can only be "
            "corrected, by a supervisor"
        )
    if status.state not in PASTEURISED_STATES:
        return (
            f"lot {status.lot} is {status.words} ({status.why}): the control after "
            "pasteurisation comes once every linked cycle has passed"
        )
    return None


def release_refusal(status: LotStatus) -> str | None:
    """L13: a passing pasteurisation and a negative control, once."""
    lot = status.lot
    if refused := closed_refusal(status, "released"):
        return refused
    if status.state is LotState.RELEASED:
        return f"lot {lot} is already released ({status.why})"
    if status.state in NOT_PASTEURISED:
        return f"lot {lot} cannot be released: it is {status.words} ({status.why})"
    if status.state is LotState.PASTEURISED:
        return f"lot {lot} cannot be released: no control after pasteurisation is recorded"
    if status.state is LotState.POSITIVE:
        return (
            f"lot {lot} cannot be released: {status.positive}; every milk whose control is "
            "positive is destroyed (Arrêté 1995 VII)"
        )
    return None


def distribution_refusal(
    status: LotStatus, bottles: int, volume_ml: float, now_ns: int
) -> str | None:
    """L13: only a released lot, in the units it was counted in, never more than is left."""
    lot = status.lot
    if refused := closed_refusal(status, "distributed"):
        return refused
    if status.state is not LotState.RELEASED:
        return f"lot {lot} is not released ({status.words}): only a released lot is distributed"
    if status.use_by_ns is not None and now_ns > status.use_by_ns:
        return f"lot {lot} is past its use-by date: it cannot be distributed"
    if status.bottles_left is None and status.volume_left_ml is None:
        return (
            f"lot {lot} has no recorded size (bottles or mL): correct its lot_created record "
            "(field bottles or volume_ml) first"
        )
    if bottles <= 0 and volume_ml <= 0:
        return "a distribution gives bottles, millilitres or both"
    if status.bottles_left is not None:
        if bottles <= 0:
            return f"lot {lot} is counted in bottles: say how many are given"
        if bottles > status.bottles_left:
            return f"lot {lot} has {status.bottles_left} bottle(s) left: {bottles} asked"
    if status.volume_left_ml is not None:
        if volume_ml <= 0:
            return f"lot {lot} is measured in mL: say how much is given"
        if volume_ml > status.volume_left_ml + VOLUME_EPSILON_ML:
            return f"lot {lot} has {status.volume_left_ml:g} mL left: {volume_ml:g} mL asked"
    return None


def store_refusal(status: LotStatus, enclosure: str) -> str | None:
    """A lot goes into one enclosure at a time, and never once closed."""
    if refused := closed_refusal(status, "stored"):
        return refused
    if status.location == enclosure:
        return f"lot {status.lot} is already in {enclosure}"
    if status.location is not None:
        return (
            f"lot {status.lot} is in {status.location}: move it (lactamon lot move) or take "
            "it out first"
        )
    return None


def unstore_refusal(status: LotStatus, enclosure: str | None) -> str | None:
    """Only a lot that is in an enclosure (the one named, when named) comes out of it."""
    if status.location is None:
        return f"lot {status.lot} is in no enclosure"
    if enclosure is not None and enclosure != status.location:
        return f"lot {status.lot} is in {status.location}, not in {enclosure}"
    return None


def move_refusal(status: LotStatus, to: str, from_: str | None) -> str | None:
    """A move takes a stored lot out of one enclosure into another."""
    if refused := closed_refusal(status, "moved"):
        return refused
    if status.location is None:
        return f"lot {status.lot} is in no enclosure: store it (lactamon lot store)"
    if status.location == to:
        return f"lot {status.lot} is already in {to}"
    if from_ is not None and status.location != from_:
        return f"lot {status.lot} is in {status.location}, not in {from_}"
    return None


def decision_refusal(status: LotStatus, alarm: str, lived: Collection[str]) -> str | None:
    """A decision is about an alarm the lot lived through (``lived``: their keys)."""
    if refused := closed_refusal(status, "decided on"):
        return refused
    if alarm not in lived:
        known = ", ".join(sorted(lived)) or "none"
        return f"lot {status.lot} lived through no {alarm} (its excursions: {known})"
    return None


def correction_refusal(status: LotStatus, reason: str, target_seq: int, head: int) -> str | None:
    """A correction names an earlier record and says why."""
    if not reason.strip():
        return "a correction needs a reason"
    if not 1 <= target_seq <= head:
        return f"lot {status.lot} has no record #{target_seq} to correct"
    return None


def correction_is_supervised(status: LotStatus, target_kind: str) -> bool:
    """A correction of a released or closed lot, or of a supervisor's act, is a supervisor's."""
    return status.closed or status.state is LotState.RELEASED or target_kind in SUPERVISED_KINDS
