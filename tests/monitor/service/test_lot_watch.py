"""The lot watch: overstay and use-by alarms raised on time and cleared once they no longer hold."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from config.lots import LotSettings
from monitor.alarms import Priority
from monitor.api.lot_requests import (
    LotControlRequest,
    LotDistributeRequest,
    LotMoveRequest,
    LotReleaseRequest,
    LotStoreRequest,
)
from monitor.api.requests import LotCreateRequest
from monitor.service.lot_desk import LotDesk
from monitor.service.lot_watch import LotWatch, lot_components
from monitor.users import Role, UserStore
from tests.monitor.service.lot_harness import PW, closed_cycle, signed
from tests.monitor.service.pipeline_lab import MIN, PipelineLab

LOT = "L2026-201"
HOUR = 60 * MIN
DAY = 24 * HOUR
OVERSTAY, USE_BY = f"lot:{LOT}:overstay", f"lot:{LOT}:use_by"


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[PipelineLab]:
    lab = PipelineLab(tmp_path)
    yield lab
    lab.close()


@pytest.fixture
def desk(lab: PipelineLab, tmp_path: Path) -> Iterator[LotDesk]:
    users = UserStore(tmp_path / "users.sqlite", PasswordHasher(time_cost=1, memory_cost=1024))
    users.add(0, "sophie", "Dr Sophie Bernard", Role.SUPERVISOR, PW, by="test")
    desk = LotDesk(lab.pipeline, users, lab.clock)
    lot_components(desk, lab.pipeline.desk, lab.clock)
    yield desk
    users.close()


def watch(desk: LotDesk, lab: PipelineLab) -> LotWatch:
    return LotWatch(desk, lab.pipeline.desk, lab.clock)


async def test_raw_milk_overstays_48_h_after_its_collection(
    desk: LotDesk, lab: PipelineLab
) -> None:
    created = lab.clock.now
    await desk.create(
        signed(
            LotCreateRequest,
            "sophie",
            lot=LOT,
            sub_lots=["D1"],
            total_flora_cfu_ml=5e3,
            s_aureus_cfu_ml=0,
            bottles=3,
        )
    )
    await desk.store(LOT, signed(LotStoreRequest, "sophie", enclosure="F1"))
    watch(desk, lab).check(created + 48 * HOUR)
    assert not lab.alarm_active(OVERSTAY)  # 48 h exactly is not over
    watch(desk, lab).check(created + 48 * HOUR + MIN)
    alarm = lab.alarm(OVERSTAY)
    assert alarm.condition_active
    assert alarm.priority is Priority.HIGH
    assert "raw milk waits at most 48 h in a fridge from its collection" in alarm.message
    assert alarm.source == f"lot:{LOT}"
    lab.clock.now = created + 49 * HOUR
    # Frozen, the lot is within its limits again: the act itself clears the alarm.
    await desk.move(signed(LotMoveRequest, "sophie", lots=[LOT], to="Z1"))
    assert not lab.alarm_active(OVERSTAY)


async def test_pasteurised_milk_waits_48_h_in_a_fridge_then_the_use_by_date_counts(
    desk: LotDesk, lab: PipelineLab
) -> None:
    await desk.create(
        signed(
            LotCreateRequest,
            "sophie",
            lot=LOT,
            sub_lots=["D1"],
            total_flora_cfu_ml=5e3,
            s_aureus_cfu_ml=0,
            bottles=3,
        )
    )
    end = lab.clock.now + 80 * MIN
    closed_cycle(lab.journal, [LOT], lab.clock.now, end)
    lab.clock.now = end + HOUR
    await desk.control(
        LOT, signed(LotControlRequest, "sophie", total_flora_cfu_ml=0, s_aureus_cfu_ml=0)
    )
    await desk.release(LOT, signed(LotReleaseRequest, "sophie"))
    await desk.store(LOT, signed(LotStoreRequest, "sophie", enclosure="F2"))
    watch(desk, lab).check(end + 47 * HOUR)
    assert not lab.alarm_active(OVERSTAY)
    watch(desk, lab).check(end + 49 * HOUR)
    assert "then is frozen (L11)" in lab.alarm(OVERSTAY).message
    await desk.move(signed(LotMoveRequest, "sophie", lots=[LOT], to="Z1"))
    assert not lab.alarm_active(OVERSTAY)
    use_by = desk.show(LOT)["use_by_ns"]
    assert use_by - end in range(181 * DAY, 185 * DAY)
    watch(desk, lab).check(use_by - 3 * DAY - MIN)
    assert not lab.alarm_active(USE_BY)
    watch(desk, lab).check(use_by - 2 * DAY)
    alarm = lab.alarm(USE_BY)
    assert alarm.condition_active
    assert alarm.priority is Priority.MEDIUM
    assert "reaches its use-by date" in alarm.message
    lab.clock.now = use_by - DAY
    await desk.distribute(
        LOT,
        signed(LotDistributeRequest, "sophie", bottles=3, ward="neonatology", recipient_ref="RX-9"),
    )
    assert not lab.alarm_active(USE_BY)  # all of it given: nothing left to expire


async def test_after_a_restart_an_alarm_that_no_longer_holds_is_cleared(
    desk: LotDesk, lab: PipelineLab, tmp_path: Path
) -> None:
    created = lab.clock.now
    await desk.create(
        signed(
            LotCreateRequest,
            "sophie",
            lot=LOT,
            sub_lots=["D1"],
            total_flora_cfu_ml=5e3,
            s_aureus_cfu_ml=0,
        )
    )
    await desk.store(LOT, signed(LotStoreRequest, "sophie", enclosure="F1"))
    watch(desk, lab).check(created + 50 * HOUR)
    assert lab.alarm_active(OVERSTAY)
    # The site gives raw milk 60 h from now on, and the daemon restarts with it.
    lab.settings = lab.settings.model_copy(update={"lots": LotSettings(raw_fridge_max_h=60)})
    lab.restart(crash=False)
    users = UserStore(tmp_path / "users.sqlite")
    try:
        again = LotDesk(lab.pipeline, users, lab.clock)
        assert lab.alarm_active(OVERSTAY)  # restored from the record
        assert again.registry.lots_in("F1") == [LOT]
        LotWatch(again, lab.pipeline.desk, lab.clock).check(created + 50 * HOUR)
        assert not lab.alarm_active(OVERSTAY)
        LotWatch(again, lab.pipeline.desk, lab.clock).check(created + 61 * HOUR)
        assert "at most 60 h" in lab.alarm(OVERSTAY).message
    finally:
        users.close()
