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
