"""Which program may pasteurise which lots, from their pre-pasteurisation bacteriology.

docs/RULES.md, Pasteurisation (Arrêté 10 Feb 1995 VI–VII; Décret 55-771 art. 6; NICE CG93):
``holder58`` may treat a lot whose total flora is <= 10^4 CFU/mL, ``holder63`` one whose
flora is <= 10^5 CFU/mL; a lot above 10^5 CFU/mL, or with S. aureus above 10^4 CFU/mL, is not
pasteurised at all: it is destroyed. Limits are inclusive: 10^4 is allowed by ``holder58``,
10^4 + 1 is not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.evaluation.events import CycleRefused
from monitor.evaluation.params import FloraLimits, Program


@dataclass(frozen=True, slots=True)
class LotBacteriology:
    """A lot's counts before pasteurisation; ``s_aureus_cfu_ml`` None when not counted."""

    lot_id: str
    total_flora_cfu_ml: float
    s_aureus_cfu_ml: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.lot_id, str) or not self.lot_id.strip() or "," in self.lot_id:
            # records list a cycle's lots comma-separated
            raise ValueError(f"lot_id must be a non-empty string without ',', got {self.lot_id!r}")
        for name in ("total_flora_cfu_ml", "s_aureus_cfu_ml"):
            value = getattr(self, name)
            if value is None and name == "s_aureus_cfu_ml":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"lot {self.lot_id}: {name} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"lot {self.lot_id}: {name} must be finite and >= 0: {value!r}")


class StartRefused(Exception):
    """A cycle may not start for these lots; ``reason`` says why, ``event`` records it."""

    def __init__(self, reason: str, program: str | None, lot_ids: Sequence[str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.program = program
        self.lot_ids = tuple(lot_ids)

    def event(self, ts: int, subject: str) -> CycleRefused:
        """The refusal as a record for the journal, e.g. under the cycle id that was asked for."""
        return CycleRefused(ts, subject, self.program, ",".join(self.lot_ids), self.reason)


def _check_lot_set(lots: Sequence[LotBacteriology]) -> None:
    if not lots:
        raise ValueError("a cycle needs at least one lot")
    ids = [lot.lot_id for lot in lots]
    doubles = sorted({i for i in ids if ids.count(i) > 1})
    if doubles:
        raise ValueError(f"lot(s) given twice: {', '.join(doubles)}")


def destruction_reason(lot: LotBacteriology, limits: FloraLimits) -> str | None:
    """Why the lot must be destroyed rather than pasteurised, or None."""
    if lot.total_flora_cfu_ml > limits.destroy_above_total_flora_cfu_ml:
        return (
            f"lot {lot.lot_id}: total flora {lot.total_flora_cfu_ml:g} CFU/mL > "
            f"{limits.destroy_above_total_flora_cfu_ml:g} CFU/mL: the lot must be destroyed"
        )
    aureus = lot.s_aureus_cfu_ml
    if aureus is not None and aureus > limits.destroy_above_s_aureus_cfu_ml:
        return (
            f"lot {lot.lot_id}: S. aureus {aureus:g} CFU/mL > "
            f"{limits.destroy_above_s_aureus_cfu_ml:g} CFU/mL: the lot must be destroyed"
        )
    return None


def refusal_reason(
    program: Program, lots: Sequence[LotBacteriology], limits: FloraLimits | None = None
) -> str | None:
    """Why ``program`` may not treat ``lots`` (every offending lot, joined by ``"; "``), or None."""
    _check_lot_set(lots)
    limits = limits or FloraLimits()
    reasons: list[str] = []
    for lot in lots:
        destroy = destruction_reason(lot, limits)
        if destroy is not None:
            reasons.append(destroy)
        elif lot.total_flora_cfu_ml > program.max_total_flora_cfu_ml:
            reasons.append(
                f"lot {lot.lot_id}: total flora {lot.total_flora_cfu_ml:g} CFU/mL > "
                f"{program.max_total_flora_cfu_ml:g} CFU/mL allowed by {program.name}"
            )
    return "; ".join(reasons) or None


def check_program(
    program: Program, lots: Sequence[LotBacteriology], limits: FloraLimits | None = None
) -> None:
    """Raise ``StartRefused`` unless ``program`` may treat every lot."""
    reason = refusal_reason(program, lots, limits)
    if reason is not None:
        raise StartRefused(reason, program.name, [lot.lot_id for lot in lots])


def choose_program(
    programs: Iterable[Program], lots: Sequence[LotBacteriology], limits: FloraLimits | None = None
) -> Program:
    """The program for these lots: the strictest one that allows them all.

    "Strictest" is the lowest flora ceiling (then the lowest setpoint, then the name), so a
    lot at 10^4 CFU/mL goes to ``holder58`` and one at 5·10^4 to ``holder63``. Raises
    ``StartRefused`` when a lot must be destroyed or when no program allows every lot.
    """
    _check_lot_set(lots)
    limits = limits or FloraLimits()
    lot_ids = [lot.lot_id for lot in lots]
    destroyed = [r for r in (destruction_reason(lot, limits) for lot in lots) if r is not None]
    if destroyed:
        raise StartRefused("; ".join(destroyed), None, lot_ids)
    candidates = list(programs)
    allowed = [p for p in candidates if refusal_reason(p, lots, limits) is None]
    if not allowed:
        worst = max(lots, key=lambda lot: lot.total_flora_cfu_ml)
        names = ", ".join(p.name for p in candidates) or "none configured"
        raise StartRefused(
            f"no program allows lot {worst.lot_id} (total flora "
            f"{worst.total_flora_cfu_ml:g} CFU/mL); programs: {names}",
            None,
            lot_ids,
        )
    return min(allowed, key=lambda p: (p.max_total_flora_cfu_ml, p.setpoint_c, p.name))
