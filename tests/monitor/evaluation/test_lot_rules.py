"""Which program may treat which lots: docs/RULES.md's flora ceilings at their boundaries."""

from __future__ import annotations

import pytest

from monitor.evaluation import (
    DEFAULT_PROGRAMS,
    HOLDER58,
    HOLDER63,
    CycleProbes,
    FloraLimits,
    LotBacteriology,
    Program,
    StartRefused,
    check_program,
    choose_program,
    refusal_reason,
    start_cycle,
)
from monitor.evaluation.events import CycleRefused


@pytest.mark.parametrize(
    ("program", "flora", "allowed"),
    [
        (HOLDER58, 1e4, True),
        (HOLDER58, 1e4 + 1, False),
        (HOLDER63, 1e4 + 1, True),
        (HOLDER63, 1e5, True),
        (HOLDER63, 1e5 + 1, False),
        (HOLDER58, 0, True),
    ],
)
def test_flora_ceiling_of_each_program(program: Program, flora: float, allowed: bool) -> None:
    reason = refusal_reason(program, [LotBacteriology("L1", flora)])
    assert (reason is None) is allowed
    if not allowed:
        assert "L1" in reason  # type: ignore[operator]


@pytest.mark.parametrize(
    ("flora", "aureus", "destroyed"),
    [
        (1e5, None, False),
        (1e5 + 1, None, True),
        (10, 1e4, False),
        (10, 1e4 + 1, True),
    ],
)
def test_lots_beyond_the_limits_are_destroyed(
    flora: float, aureus: float | None, destroyed: bool
) -> None:
    lot = LotBacteriology("L9", flora, aureus)
    reason = refusal_reason(HOLDER63, [lot])
    assert (reason is not None and "destroyed" in reason) is destroyed
    if destroyed:
        with pytest.raises(StartRefused, match="must be destroyed"):
            choose_program(DEFAULT_PROGRAMS, [lot])


@pytest.mark.parametrize(
    ("flora", "expected"),
    [(0, "holder58"), (1e4, "holder58"), (1e4 + 1, "holder63"), (1e5, "holder63")],
)
def test_choose_program_picks_the_strictest_allowed(flora: float, expected: str) -> None:
    assert choose_program(DEFAULT_PROGRAMS, [LotBacteriology("L1", flora)]).name == expected


def test_choose_program_for_several_lots_follows_the_worst() -> None:
    lots = [LotBacteriology("L1", 10), LotBacteriology("L2", 5e4)]
    assert choose_program(DEFAULT_PROGRAMS, lots) is HOLDER63
    with pytest.raises(StartRefused, match="no program allows lot L2") as refused:
        choose_program([HOLDER58], lots)
    assert refused.value.lot_ids == ("L1", "L2")


def test_every_offending_lot_is_named() -> None:
    lots = [LotBacteriology("A", 2e4), LotBacteriology("B", 1), LotBacteriology("C", 3e5)]
    reason = refusal_reason(HOLDER58, lots)
    assert reason is not None
    assert "lot A" in reason
    assert "lot C" in reason
    assert "lot B" not in reason
    assert "allowed by holder58" in reason
    assert "must be destroyed" in reason


def test_site_limits_are_used() -> None:
    strict = FloraLimits(destroy_above_total_flora_cfu_ml=5e4)
    assert refusal_reason(HOLDER63, [LotBacteriology("L1", 6e4)]) is None
    assert "destroyed" in (refusal_reason(HOLDER63, [LotBacteriology("L1", 6e4)], strict) or "")


def test_start_cycle_refuses_with_a_recordable_reason() -> None:
    lots = [LotBacteriology("L1", 2e4)]
    with pytest.raises(StartRefused) as refused:
        start_cycle("C1", 5, HOLDER58, lots, CycleProbes(("ref",)))
    assert refused.value.program == "holder58"
    event = refused.value.event(5, "C1")
    assert isinstance(event, CycleRefused)
    assert event.fields() == {
        "subject": "C1",
        "program": "holder58",
        "lots": "L1",
        "reason": refused.value.reason,
    }
    check_program(HOLDER63, lots)  # the same lots are fine for holder63


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lot_id": "", "total_flora_cfu_ml": 1.0}, "lot_id"),
        ({"lot_id": "L1,L2", "total_flora_cfu_ml": 1.0}, "without ','"),
        ({"lot_id": "L", "total_flora_cfu_ml": float("nan")}, "total_flora_cfu_ml"),
        ({"lot_id": "L", "total_flora_cfu_ml": -1.0}, "total_flora_cfu_ml"),
        ({"lot_id": "L", "total_flora_cfu_ml": 1.0, "s_aureus_cfu_ml": float("inf")}, "aureus"),
        ({"lot_id": "L", "total_flora_cfu_ml": "many"}, "must be a number"),
    ],
)
def test_bad_bacteriology_is_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LotBacteriology(**kwargs)  # type: ignore[arg-type]


def test_a_cycle_needs_distinct_lots() -> None:
    with pytest.raises(ValueError, match="at least one lot"):
        refusal_reason(HOLDER58, [])
    twice = [LotBacteriology("L1", 1), LotBacteriology("L1", 2)]
    with pytest.raises(ValueError, match="given twice: L1"):
        choose_program(DEFAULT_PROGRAMS, twice)
