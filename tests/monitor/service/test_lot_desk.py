"""The lot's life asked of the daemon, without sockets: each act signed, checked, recorded.

A refused act says why and leaves the journal as it was: every test compares the records
before and after.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from monitor.alarms import Priority
from monitor.api.lot_requests import (
    LotControlRequest,
    LotCorrectRequest,
    LotDecideRequest,
    LotDestroyRequest,
    LotDistributeRequest,
    LotMoveRequest,
    LotReleaseRequest,
    LotStoreRequest,
    LotUnstoreRequest,
)
from monitor.api.requests import LotCreateRequest
from monitor.errors import NotFound, Refused
from monitor.journal import JournalReader
from monitor.journal.streams import ALARM_STREAM
from monitor.service.lot_desk import LotDesk
from monitor.service.lot_watch import lot_components
from monitor.users import NotPermitted, Role, UserStore
from tests.monitor.service.lot_harness import PW, closed_cycle, signed
from tests.monitor.service.pipeline_lab import MIN, PipelineLab

L1, L2 = "L2026-101", "L2026-102"
WARM_F1 = {"F1-air": 6.2, "F2-air": 3.0, "Z1-air": -20.0}


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[PipelineLab]:
    lab = PipelineLab(tmp_path)
    yield lab
    lab.close()


@pytest.fixture
def desk(lab: PipelineLab, tmp_path: Path) -> Iterator[LotDesk]:
    users = UserStore(tmp_path / "users.sqlite", PasswordHasher(time_cost=1, memory_cost=1024))
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.add(0, "sophie", "Dr Sophie Bernard", Role.SUPERVISOR, PW, by="test")
    desk = LotDesk(lab.pipeline, users, lab.clock)
    lot_components(desk, lab.pipeline.desk, lab.clock)
    yield desk
    users.close()


def counts(lab: PipelineLab) -> dict[str, int]:
    lab.journal.flush()
    with JournalReader(lab.path) as reader:
        return {name: len(reader.stream_records(name)) for name in reader.stream_names()}


async def create(desk: LotDesk, lot: str, bottles: int = 4) -> None:
    await desk.create(
        signed(
            LotCreateRequest,
            "anne",
            lot=lot,
            sub_lots=["D1", "D2"],
            total_flora_cfu_ml=5e3,
            s_aureus_cfu_ml=0,
            bottles=bottles,
        )
    )


async def pasteurised(desk: LotDesk, lab: PipelineLab, *lots: str) -> None:
    """The lots created, passed through a cycle and controlled negative."""
    for lot in lots:
        await create(desk, lot)
    closed_cycle(lab.journal, list(lots), lab.clock.now, lab.clock.now + 80 * MIN)
    lab.clock.now += 90 * MIN
    for lot in lots:
        await desk.control(
            lot,
            signed(
                LotControlRequest,
                "anne",
                total_flora_cfu_ml=0,
                s_aureus_cfu_ml=0,
                lab_reference="LAB-7",
            ),
        )


async def test_a_lot_from_collection_to_its_last_bottle(desk: LotDesk, lab: PipelineLab) -> None:
    await pasteurised(desk, lab, L1)
    release = await desk.release(L1, signed(LotReleaseRequest, "sophie", comment="all good"))
    assert (release["state"], release["signature"]["printed_name"]) == (
        "released",
        "Dr Sophie Bernard",
    )
    assert release["signature"]["meaning"] == "released"
    await desk.store(L1, signed(LotStoreRequest, "anne", enclosure="Z1"))
    assert desk.enclosure_lots("Z1")["lots"][0]["lot"] == L1
    part = await desk.distribute(
        L1,
        signed(LotDistributeRequest, "anne", bottles=1, ward="neonatology", recipient_ref="RX-1"),
    )
    assert (part["state"], part["bottles_left"], part["location"]) == ("released", 3, "Z1")
    assert desk.show(L1)["location"] == "Z1"  # the rest of it stays in the freezer
    rest = await desk.distribute(
        L1,
        signed(LotDistributeRequest, "anne", bottles=3, ward="neonatology", recipient_ref="RX-2"),
    )
    assert (rest["state"], rest["closed"], rest["location"]) == ("distributed", True, None)
    assert L1 not in desk.registry.lots
    shown = desk.show(L1)
    assert [(d["bottles"], d["recipient_ref"]) for d in shown["distributions"]] == [
        (1, "RX-1"),
        (3, "RX-2"),
    ]
    assert shown["stays"][-1]["out_ns"] is not None  # the last bottle left the freezer
    trace = desk.trace("D2", None)
    assert [lot["lot"] for lot in trace["lots"]] == [L1]


@pytest.mark.parametrize(
    ("act", "error", "message"),
    [
        (
            "release_by_technician",
            NotPermitted,
            "only a supervisor (the pharmacist or doctor "
            "in charge) may release a lot: technician anne may not release_lot",
        ),
        ("release_before_control", Refused, "no control after pasteurisation is recorded"),
        ("distribute_unreleased", Refused, "is not released"),
        ("correct_without_reason", Refused, "a correction needs a reason"),
        ("store_destroyed", Refused, "is destroyed (spilt): it cannot be stored"),
        ("store_unknown_enclosure", NotFound, "unknown enclosure 'F9' (known: F1, F2, Z1)"),
        ("release_unknown_lot", NotFound, "unknown lot 'L2026-404'"),
        ("control_before_cycle", Refused, "comes once every linked cycle has passed"),
    ],
)
async def test_a_refused_act_says_why_and_records_nothing(
    desk: LotDesk, lab: PipelineLab, act: str, error: type[Exception], message: str
) -> None:
    await create(desk, L1)
    await create(desk, L2)
    closed_cycle(lab.journal, [L2], lab.clock.now, lab.clock.now + 80 * MIN)
    await desk.destroy(L1, signed(LotDestroyRequest, "anne", reason="spilt"))
    calls = {
        "release_by_technician": lambda: desk.release(L2, signed(LotReleaseRequest, "anne")),
        "release_before_control": lambda: desk.release(L2, signed(LotReleaseRequest, "sophie")),
        "distribute_unreleased": lambda: desk.distribute(
            L2,
            signed(LotDistributeRequest, "anne", bottles=1, ward="neonatology", recipient_ref="RX"),
        ),
        "correct_without_reason": lambda: desk.correct(
            L2, signed(LotCorrectRequest, "anne", target_seq=1, field="bottles", value="3")
        ),
        "store_destroyed": lambda: desk.store(L1, signed(LotStoreRequest, "anne", enclosure="F1")),
        "store_unknown_enclosure": lambda: desk.store(
            L2, signed(LotStoreRequest, "anne", enclosure="F9")
        ),
        "release_unknown_lot": lambda: desk.release(
            "L2026-404", signed(LotReleaseRequest, "sophie")
        ),
        "control_before_cycle": lambda: desk.control(
            "L2026-103", signed(LotControlRequest, "anne", total_flora_cfu_ml=0, s_aureus_cfu_ml=0)
        ),
    }
    await create(desk, "L2026-103")
    before = counts(lab)
    with pytest.raises(error) as refused:
        await calls[act]()
    assert message in str(refused.value)
    assert counts(lab) == before


async def test_a_positive_control_is_never_released(desk: LotDesk, lab: PipelineLab) -> None:
    await create(desk, L1)
    closed_cycle(lab.journal, [L1], lab.clock.now, lab.clock.now + 80 * MIN)
    answer = await desk.control(
        L1, signed(LotControlRequest, "anne", total_flora_cfu_ml=30, s_aureus_cfu_ml=0)
    )
    assert answer["state"] == "positive"
    with pytest.raises(Refused, match="every milk whose control is positive is destroyed"):
        await desk.release(L1, signed(LotReleaseRequest, "sophie"))
    gone = await desk.destroy(L1, signed(LotDestroyRequest, "anne", reason="positive control"))
    assert gone["state"] == "destroyed"


async def test_a_move_takes_every_lot_or_none(desk: LotDesk, lab: PipelineLab) -> None:
    await pasteurised(desk, lab, L1, L2)
    for lot in (L1, L2):
        await desk.store(lot, signed(LotStoreRequest, "anne", enclosure="F2"))
    await desk.unstore(L2, signed(LotUnstoreRequest, "anne", enclosure="F2"))
    before = counts(lab)
    with pytest.raises(Refused, match=f"lot {L2} is in no enclosure"):
        await desk.move(signed(LotMoveRequest, "anne", lots=[L1, L2], to="Z1"))
    assert counts(lab) == before
    await desk.store(L2, signed(LotStoreRequest, "anne", enclosure="F2"))
    moved = await desk.move(
        signed(LotMoveRequest, "anne", lots=[L1, L2], to="Z1", from_enclosure="F2")
    )
    assert [lot["location"] for lot in moved["lots"]] == ["Z1", "Z1"]
    assert moved["move_ref"].startswith("move:Z1:")
    assert desk.registry.lots_in("Z1") == [L1, L2]


async def test_an_excursion_names_the_lots_and_the_lot_lists_it(
    desk: LotDesk, lab: PipelineLab
) -> None:
    await pasteurised(desk, lab, L1)
    await desk.store(L1, signed(LotStoreRequest, "anne", enclosure="F1"))
    # An alarm of F1 that is no exposure of its milk (an unsigned daily sheet) names no lot.
    lab.pipeline.desk.condition(
        lab.clock.now, "sheet:F1:2026-05-31", True, "F1", Priority.LOW, "unsigned"
    )
    lab.run(12 * 60, 10, WARM_F1)  # the door ajar past the 10-minute delay
    lab.run(5 * 60, 10, {**WARM_F1, "F1-air": 3.0})
    named_lots = [r for r in lab.records(ALARM_STREAM) if r.kind == "excursion_lots"]
    # The probe was silent before the lab's first readings: that is an exposure too.
    assert [r.fields["alarm"] for r in named_lots] == ["stale:F1-air", "band:F1"]
    named = named_lots[-1]
    assert {k: named.fields[k] for k in ("alarm", "enclosure", "lots", "event")} == {
        "alarm": "band:F1",
        "enclosure": "F1",
        "lots": L1,
        "event": "raised",
    }
    [lived] = [e for e in desk.show(L1)["excursions"] if e["alarm"] == "band:F1"]
    assert lived["alarmed"]
    assert lived["end_ns"] is not None
    assert lived["worst_c"] == 6.2
    assert lived["measured_s"] >= 600
    with pytest.raises(Refused, match="lived through no band:Z1"):
        await desk.decide(
            L1, signed(LotDecideRequest, "sophie", alarm="band:Z1", decision="keep", reason="x")
        )
    with pytest.raises(NotPermitted, match="only a supervisor"):
        await desk.decide(
            L1, signed(LotDecideRequest, "anne", alarm="band:F1", decision="keep", reason="x")
        )
    kept = await desk.decide(
        L1,
        signed(
            LotDecideRequest, "sophie", alarm="band:F1", decision="keep", reason="6.2 °C for 12 min"
        ),
    )
    assert kept["state"] == "controlled"
    [decision] = desk.show(L1)["excursions"][0]["decisions"]
    assert (decision["decision"], decision["printed_name"]) == ("keep", "Dr Sophie Bernard")


async def test_corrections_read_the_fields_type_and_respect_the_signature(
    desk: LotDesk, lab: PipelineLab
) -> None:
    await create(desk, L1, bottles=4)
    amended = await desk.correct(
        L1,
        signed(
            LotCorrectRequest, "anne", target_seq=1, field="bottles", value="5", reason="recounted"
        ),
    )
    assert amended["bottles_left"] == 5
    with pytest.raises(Refused, match="bottles holds whole numbers, not 'five'"):
        await desk.correct(
            L1,
            signed(
                LotCorrectRequest, "anne", target_seq=1, field="bottles", value="five", reason="x"
            ),
        )
    with pytest.raises(Refused, match="part of the record's signature"):
        await desk.correct(
            L1,
            signed(
                LotCorrectRequest,
                "anne",
                target_seq=1,
                field="printed_name",
                value="Bob",
                reason="x",
            ),
        )
    closed_cycle(lab.journal, [L1], lab.clock.now, lab.clock.now + 80 * MIN)
    await desk.control(
        L1, signed(LotControlRequest, "anne", total_flora_cfu_ml=0, s_aureus_cfu_ml=0)
    )
    await desk.release(L1, signed(LotReleaseRequest, "sophie"))
    with pytest.raises(NotPermitted, match="is a supervisor's"):
        await desk.correct(
            L1, signed(LotCorrectRequest, "anne", target_seq=2, void=True, reason="wrong sample")
        )
