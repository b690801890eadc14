from monitor.journal import Record, fold_lot
from monitor.journal.record import FieldValue

LOT = "L2026-001"


def record(seq: int, kind: str, **fields: FieldValue) -> Record:
    return Record(f"lot:{LOT}", seq, 1000 + seq, kind, {"lot": LOT, **fields}, b"")


def test_the_dossier_folds_the_lot_with_its_corrections() -> None:
    records = [
        record(1, "lot_created", sub_lots="D1,D2", printed_name="Alice Martin"),
        record(
            2,
            "bacteriology_recorded",
            stage="before",
            total_flora_cfu_ml=1200.0,
            s_aureus_cfu_ml=0.0,
            lab_reference="LAB-1",
        ),
        record(3, "cycle_linked", cycle="cycle:P1:a"),
        record(4, "cycle_linked", cycle="cycle:P1:b"),
        record(5, "stay_started", enclosure="F1", in_ts=10),
        record(6, "stay_ended", enclosure="F1", out_ts=20),
        record(7, "checkpoint", head_seq=6),
        record(
            8,
            "correction",
            target_seq=2,
            action="amend",
            field="total_flora_cfu_ml",
            new_float=1300.0,
            reason="typo",
            user="bob",
            printed_name="Bob",
        ),
        record(
            9,
            "correction",
            target_seq=3,
            action="void",
            reason="wrong cycle",
            user="bob",
            printed_name="Bob",
        ),
        record(
            10, "bacteriology_recorded", stage="after", total_flora_cfu_ml=0.0, s_aureus_cfu_ml=0.0
        ),
        record(11, "stay_started", enclosure="C2", in_ts=30),
    ]
    dossier = fold_lot(LOT, reversed(records))
    assert dossier.sub_lots == ["D1", "D2"]
    assert dossier.created_by == "Alice Martin"
    before = dossier.latest_bacteriology("before")
    assert before is not None
    assert before.total_flora_cfu_ml == 1300.0
    assert before.amended
    after = dossier.latest_bacteriology("after")
    assert after is not None
    assert after.seq == 10
    assert dossier.linked_cycles == ["cycle:P1:b"]
    assert [c.voided for c in dossier.cycles] == [True, False]
    assert [(s.enclosure, s.in_ts, s.out_ts) for s in dossier.stays] == [
        ("F1", 10, 20),
        ("C2", 30, None),
    ]
    assert [(c.target_seq, c.reason, c.printed_name) for c in dossier.corrections] == [
        (2, "typo", "Bob"),
        (3, "wrong cycle", "Bob"),
    ]
    assert dossier.problems == []


def test_what_does_not_add_up_is_listed() -> None:
    records = [
        record(1, "lot_created", sub_lots="D1"),
        record(2, "stay_ended", enclosure="F1", out_ts=5),
        record(3, "stay_started", enclosure="F1", in_ts=6),
        record(4, "stay_started", enclosure="F1", in_ts=7),
        record(5, "correction", target_seq=9, action="void", reason="x"),
        record(6, "alarm_raised"),
    ]
    problems = fold_lot(LOT, records).problems
    assert problems == [
        "#5 corrects #9, which is not an earlier record of the lot",
        "#2: a stay in F1 ends that never started",
        "#4: a stay in F1 starts while one is open",
        "#6: alarm_raised records have no place in a lot dossier",
    ]
