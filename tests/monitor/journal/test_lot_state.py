"""A lot's state from its records, and what each state refuses (docs/RULES.md, L9–L13)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.evaluation.lot_life import LotLimits
from monitor.journal import Record, fold_lot
from monitor.journal import lot_refusals as rules
from monitor.journal.lot_state import CycleOutcome, LotState, LotStatus, lot_status
from monitor.journal.record import FieldValue

LOT = "L2026-001"
CYCLE, OTHER = "cycle:P1:2026-11-20T09:00:00Z", "cycle:P1:2026-11-20T12:00:00Z"
PASS, FAIL = CycleOutcome("PASS", "", 5_000), CycleOutcome("FAIL", "cooled too slowly", 6_000)
LIMITS = LotLimits()


@dataclass
class Lot:
    """A lot's records, appended one by one as the lot book would."""

    records: list[Record] = field(default_factory=list)
    outcomes: dict[str, CycleOutcome] = field(default_factory=dict)

    def add(self, kind: str, **fields: FieldValue) -> Lot:
        seq = len(self.records) + 1
        signer: dict[str, FieldValue] = {"user": "sophie", "printed_name": "Sophie Bernard"}
        record = Record(f"lot:{LOT}", seq, 1000 * seq, kind, {"lot": LOT, **signer, **fields}, b"")
        self.records.append(record)
        return self

    def control(self, flora: float = 0.0, aureus: float = 0.0) -> Lot:
        return self.add(
            "bacteriology_recorded", stage="after", total_flora_cfu_ml=flora, s_aureus_cfu_ml=aureus
        )

    @property
    def status(self) -> LotStatus:
        return lot_status(fold_lot(LOT, self.records), self.outcomes, LIMITS, ["Z1"])


def created(bottles: int = 6, volume_ml: float = 0.0) -> Lot:
    fields: dict[str, FieldValue] = {"sub_lots": "D1,D2", "bottles": bottles}
    if volume_ml:
        fields["volume_ml"] = volume_ml
    return Lot().add("lot_created", **fields)


def passed() -> Lot:
    lot = created().add("cycle_linked", cycle=CYCLE)
    lot.outcomes[CYCLE] = PASS
    return lot


def test_a_lot_goes_through_its_states_in_order() -> None:
    lot = created()
    assert lot.status.state is LotState.QUARANTINE
    lot.add("cycle_linked", cycle=CYCLE)
    assert lot.status.state is LotState.PASTEURISING
    lot.outcomes[CYCLE] = PASS
    assert (lot.status.state, lot.status.pasteurised_ns) == (LotState.PASTEURISED, 5_000)
    lot.control()
    assert lot.status.state is LotState.CONTROLLED
    lot.add("lot_released")
    assert (lot.status.state, lot.status.why) == (LotState.RELEASED, "by Sophie Bernard")
    lot.add("stay_started", enclosure="Z1", in_ts=9_000)
    assert (lot.status.location, lot.status.frozen_since_pasteurisation) == ("Z1", True)
    lot.add("lot_distributed", bottles=4, ward="neonatology", recipient_ref="RX-1")
    assert (lot.status.state, lot.status.bottles_left) == (LotState.RELEASED, 2)
    lot.add("lot_distributed", bottles=2, ward="neonatology", recipient_ref="RX-2")
    assert (lot.status.state, lot.status.bottles_left, lot.status.closed) == (
        LotState.DISTRIBUTED,
        0,
        True,
    )


def test_a_failed_cycle_or_a_positive_control_keeps_the_lot_from_release() -> None:
    failed = created().add("cycle_linked", cycle=CYCLE).add("cycle_linked", cycle=OTHER)
    failed.outcomes.update({CYCLE: PASS, OTHER: FAIL})
    assert failed.status.state is LotState.NOT_PASTEURISED
    assert rules.release_refusal(failed.status) == (
        f"lot {LOT} cannot be released: it is not pasteurised (cycle {OTHER} FAIL)"
    )
    positive = passed().control(flora=20, aureus=0)
    assert positive.status.state is LotState.POSITIVE
    refusal = rules.release_refusal(positive.status)
    assert refusal is not None
    assert "total flora 20 CFU/mL > 0 CFU/mL allowed" in refusal
    assert "every milk whose control is positive is destroyed (Arrêté 1995 VII)" in refusal
    lenient = lot_status(
        fold_lot(LOT, positive.records), positive.outcomes, LotLimits(post_flora_max_cfu_ml=50)
    )
    assert lenient.state is LotState.CONTROLLED


@pytest.mark.parametrize(
    ("lot", "refusal"),
    [
        (created(), "it is raw milk in quarantine (no cycle linked)"),
        (passed(), "no control after pasteurisation is recorded"),
        (passed().control().add("lot_released"), "is already released (by Sophie Bernard)"),
        (
            passed().add("lot_destroyed", reason="bottle broken"),
            "is destroyed (bottle broken): it cannot be released",
        ),
    ],
)
def test_what_a_release_needs(lot: Lot, refusal: str) -> None:
    assert refusal in (rules.release_refusal(lot.status) or "")


def test_a_voided_release_is_no_release() -> None:
    lot = passed().control().add("lot_released")
    lot.add("correction", target_seq=4, action="void", reason="signed the wrong lot")
    assert lot.status.state is LotState.CONTROLLED
    assert rules.release_refusal(lot.status) is None


def test_what_storage_and_distribution_refuse() -> None:
    raw = created()
    assert rules.distribution_refusal(raw.status, 1, 0, 0) == (
        f"lot {LOT} is not released (raw milk in quarantine): only a released lot is distributed"
    )
    destroyed = created().add("lot_destroyed", reason="spilt")
    assert rules.store_refusal(destroyed.status, "F1") == (
        f"lot {LOT} is destroyed (spilt): it cannot be stored"
    )
    stored = created().add("stay_started", enclosure="F1", in_ts=1)
    assert rules.store_refusal(stored.status, "F1") == f"lot {LOT} is already in F1"
    assert "is in F1: move it" in (rules.store_refusal(stored.status, "F2") or "")
    assert rules.unstore_refusal(stored.status, "F2") == f"lot {LOT} is in F1, not in F2"
    assert rules.move_refusal(created().status, "Z1", None) == (
        f"lot {LOT} is in no enclosure: store it (lactamon lot store)"
    )
    released = passed().control().add("lot_released")
    assert rules.distribution_refusal(released.status, 7, 0, 0) == (
        f"lot {LOT} has 6 bottle(s) left: 7 asked"
    )
    assert rules.distribution_refusal(released.status, 0, 100, 0) == (
        f"lot {LOT} is counted in bottles: say how many are given"
    )
    use_by = released.status.use_by_ns
    assert use_by is not None
    assert "past its use-by date" in (
        rules.distribution_refusal(released.status, 1, 0, use_by + 1) or ""
    )


def test_a_lot_of_unknown_size_is_not_distributed() -> None:
    lot = Lot().add("lot_created", sub_lots="D1").add("cycle_linked", cycle=CYCLE)
    lot.outcomes[CYCLE] = PASS
    lot.control().add("lot_released")
    assert "has no recorded size" in (rules.distribution_refusal(lot.status, 1, 0, 0) or "")


def test_corrections_of_released_lots_are_a_supervisors() -> None:
    assert rules.correction_refusal(created().status, " ", 1, 1) == "a correction needs a reason"
    assert rules.correction_refusal(created().status, "typo", 2, 1) == (
        f"lot {LOT} has no record #2 to correct"
    )
    assert not rules.correction_is_supervised(passed().status, "bacteriology_recorded")
    assert rules.correction_is_supervised(passed().status, "lot_decided")
    released = passed().control().add("lot_released")
    assert rules.correction_is_supervised(released.status, "bacteriology_recorded")


outcomes = st.sampled_from([PASS, FAIL, CycleOutcome("ABORTED", "", 1), CycleOutcome()])


@given(
    cycles=st.lists(outcomes, max_size=3),
    controls=st.lists(
        st.tuples(st.sampled_from([0.0, 5.0]), st.sampled_from([0.0, 1.0])), max_size=2
    ),
    released=st.booleans(),
    destroyed=st.booleans(),
)
def test_a_release_is_allowed_exactly_when_the_rules_say(
    cycles: list[CycleOutcome],
    controls: list[tuple[float, float]],
    released: bool,
    destroyed: bool,
) -> None:
    lot = created()
    for i, outcome in enumerate(cycles):
        lot.add("cycle_linked", cycle=f"cycle:P1:2026-11-2{i}T09:00:00Z")
        lot.outcomes[f"cycle:P1:2026-11-2{i}T09:00:00Z"] = outcome
    for flora, aureus in controls:
        lot.control(flora, aureus)
    if released:
        lot.add("lot_released")
    if destroyed:
        lot.add("lot_destroyed", reason="test")
    negative = bool(controls) and controls[-1] == (0.0, 0.0)
    all_passed = bool(cycles) and all(c.verdict == "PASS" for c in cycles)
    allowed = all_passed and negative and not released and not destroyed
    assert (rules.release_refusal(lot.status) is None) == allowed


@given(
    size=st.integers(1, 12),
    asked=st.lists(st.integers(0, 8), max_size=10),
)
def test_distributions_never_give_more_than_the_lot_holds(size: int, asked: list[int]) -> None:
    lot = created(bottles=size)
    lot.add("cycle_linked", cycle=CYCLE)
    lot.outcomes[CYCLE] = PASS
    lot.control().add("lot_released")
    given_out = 0
    for bottles in asked:
        if rules.distribution_refusal(lot.status, bottles, 0.0, 0) is None:
            lot.add("lot_distributed", bottles=bottles, ward="neonatology", recipient_ref="RX")
            given_out += bottles
        assert given_out <= size
        assert lot.status.closed == (given_out == size)
        assert lot.status.state is (
            LotState.DISTRIBUTED if given_out == size else LotState.RELEASED
        )
