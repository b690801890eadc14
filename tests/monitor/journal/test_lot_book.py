from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.journal import Journal, JournalReader, LotBook, LotError, lot_stream
from monitor.signature import Signature
from tests.monitor.journal.samples import T0, StepClock, device_key

ALICE = Signature("alice", "Alice Martin", "recorded")
LOT = "L2026-007"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[LotBook]:
    with Journal(tmp_path / "j.sqlite", device_key(), StepClock()) as journal:
        yield LotBook(journal)


def test_lot_records_carry_the_signature(book: LotBook, tmp_path: Path) -> None:
    signature = Signature("alice", "Alice Martin", "created", "two donors")
    created = book.create(LOT, ["D1", "D2"], signature)
    assert created.stream == lot_stream(LOT)
    assert created.fields == {
        "lot": LOT,
        "sub_lots": "D1,D2",
        "user": "alice",
        "printed_name": "Alice Martin",
        "meaning": "created",
        "comment": "two donors",
    }
    result = book.record_bacteriology(LOT, "after", 0, 10, ALICE, "LAB-2")
    assert result.fields["total_flora_cfu_ml"] == 0.0
    assert result.fields["s_aureus_cfu_ml"] == 10.0
    assert book.link_cycle(LOT, "cycle:P1:2026-11-26T08:00:00Z", ALICE).seq == 3
    assert book.start_stay(LOT, "F1", T0, ALICE).fields["in_ts"] == T0
    removed = Signature("alice", "Alice Martin", "removed")
    ended = book.end_stay(LOT, "F1", T0 + 1, removed)
    assert (ended.fields["meaning"], "comment" in ended.fields) == ("removed", False)
    amend = book.correct(LOT, 2, "wrong sample", ALICE, "s_aureus_cfu_ml", 5.0)
    assert amend.fields["new_float"] == 5.0
    assert amend.fields["action"] == "amend"
    void = book.correct(LOT, 3, "wrong cycle", ALICE, void=True)
    assert void.fields["action"] == "void"
    assert "field" not in void.fields


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.create("2026-1", ["D1"], ALICE), "does not match"),
        (lambda b: b.create(LOT, [], ALICE), "at least one sub-lot"),
        (lambda b: b.create(LOT, ["D 1"], ALICE), "donor code"),
        (lambda b: b.create(LOT, ["D1", "D1"], ALICE), "listed twice"),
        (lambda b: b.create(LOT, ["D1"], Signature("", "x", "created")), "printed name"),
        (lambda b: b.create(LOT, ["D1"], Signature("a", "A", " ")), "meaning"),
        (lambda b: b.link_cycle(LOT, "cycle:P1:2026-11-26T08:00:00Z", ALICE), "unknown lot"),
    ],
)
def test_bad_lot_records_are_refused(
    book: LotBook, call: Callable[[LotBook], object], message: str
) -> None:
    with pytest.raises(LotError, match=message):
        call(book)


def test_records_of_an_existing_lot_are_checked(book: LotBook) -> None:
    book.create(LOT, ["D1"], ALICE)
    checks: list[tuple[Callable[[], object], str]] = [
        (lambda: book.create(LOT, ["D2"], ALICE), "already exists"),
        (lambda: book.record_bacteriology(LOT, "during", 1, 1, ALICE), "stage"),
        (lambda: book.record_bacteriology(LOT, "before", -1, 1, ALICE), "number >= 0"),
        (lambda: book.record_bacteriology(LOT, "before", 1, True, ALICE), "number >= 0"),
        (lambda: book.link_cycle(LOT, "enclosure:F1:2026-11-26", ALICE), "not a cycle"),
        (lambda: book.start_stay(LOT, "F 1", T0, ALICE), "enclosure id"),
        (lambda: book.correct(LOT, 5, "why", ALICE, void=True), "no record #5"),
        (lambda: book.correct(LOT, 1, " ", ALICE, void=True), "needs a reason"),
        (lambda: book.correct(LOT, 1, "why", ALICE), "either voids"),
        (lambda: book.correct(LOT, 1, "why", ALICE, "sub_lots"), "needs the new value"),
    ]
    for call, message in checks:
        with pytest.raises(LotError, match=message):
            call()


def test_the_lot_number_pattern_is_configurable(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite", device_key(), StepClock()) as journal:
        book = LotBook(journal, r"^LOT/\d+$")
        book.create("LOT/12", ["D1"], ALICE)
        with pytest.raises(LotError, match="not a regex"):
            LotBook(journal, "[")
    with JournalReader(tmp_path / "j.sqlite") as reader:
        assert reader.stream_records("lot:LOT/12")[0].fields["lot"] == "LOT/12"


def test_the_acts_of_a_lots_life_are_signed_records(book: LotBook) -> None:
    created = book.create(LOT, ["D1"], ALICE, bottles=6, volume_ml=540.0)
    assert (created.fields["bottles"], created.fields["volume_ml"]) == (6, 540.0)
    released = book.release(LOT, Signature("sophie", "Dr Sophie Bernard", "released", "ok"))
    assert (released.kind, released.fields["meaning"]) == ("lot_released", "released")
    given = book.distribute(LOT, 2, 0, "neonatology", "RX-17", ALICE)
    assert given.fields["ward"] == "neonatology"
    assert "volume_ml" not in given.fields  # not given in mL: no field, not a zero
    decided = book.decide(LOT, "band:F1", "enclosure:F1:2026-11-20#12", "keep", "4.6 °C", ALICE)
    assert decided.fields["decision"] == "keep"
    destroyed = book.destroy(LOT, "bottle broken", ALICE)
    assert destroyed.fields["reason"] == "bottle broken"


def test_a_move_is_one_act_in_each_lots_stream(book: LotBook, tmp_path: Path) -> None:
    other = "L2026-008"
    for lot in (LOT, other):
        book.create(lot, ["D1"], ALICE)
        book.start_stay(lot, "F1", T0, ALICE)
    moved = book.move([(LOT, "F1"), (other, "F1")], "Z1", T0 + 5, ALICE)
    assert [(r.stream, r.kind) for r in moved] == [
        (lot_stream(LOT), "stay_ended"), (lot_stream(LOT), "stay_started"),
        (lot_stream(other), "stay_ended"), (lot_stream(other), "stay_started"),
    ]  # fmt: skip
    assert {r.fields["move_ref"] for r in moved} == {f"move:Z1:{T0 + 5}"}
    with pytest.raises(LotError, match="unknown lot L2026-404"):
        book.move([(LOT, "Z1"), ("L2026-404", "F1")], "F2", T0 + 9, ALICE)
    book.journal.flush()
    with JournalReader(tmp_path / "j.sqlite") as reader:  # the refused move left nothing
        assert reader.stream_records(lot_stream(LOT))[-1].kind == "stay_started"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.create("L2026-009", ["D1"], ALICE, bottles=-1), "bottles -1"),
        (lambda b: b.distribute(LOT, 0, 0, "neonatology", "RX", ALICE), "bottles, millilitres"),
        (lambda b: b.distribute(LOT, 1, 0, " ", "RX", ALICE), "needs its ward"),
        (lambda b: b.destroy(LOT, "", ALICE), "needs its reason"),
        (lambda b: b.decide(LOT, "band:F1", "", "maybe", "x", ALICE), "keep or destroy"),
        (lambda b: b.move([(LOT, "F1"), (LOT, "F1")], "Z1", T0, ALICE), "listed twice"),
    ],
)
def test_acts_of_the_wrong_shape_are_refused(
    book: LotBook, call: Callable[[LotBook], object], message: str
) -> None:
    book.create(LOT, ["D1"], ALICE)
    with pytest.raises(LotError, match=message):
        call(book)
