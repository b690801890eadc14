"""What people ask of the daemon, without sockets: each act signed with a password checked
off the loop, refused with the reason when it does not fit, and on record when it does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr

from monitor.api.requests import AckRequest, CycleStartRequest, LotCreateRequest, ShelveRequest
from monitor.errors import NotFound, Refused
from monitor.service.clock_sync import ClockSync
from monitor.service.facade import ServiceFacade
from monitor.users import AuthError, NotPermitted, Role, UserStore
from tests.monitor.service.pipeline_lab import PipelineLab

PW = "correct horse battery"
WARM = {"F1-air": 6.2, "F2-air": 3.0, "Z1-air": -20.0}


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[PipelineLab]:
    lab = PipelineLab(tmp_path)
    yield lab
    lab.close()


@pytest.fixture
def facade(lab: PipelineLab, tmp_path: Path) -> Iterator[ServiceFacade]:
    users = UserStore(tmp_path / "users.sqlite", PasswordHasher(time_cost=1, memory_cost=1024))
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.add(0, "ines", "Inès Roy", Role.INSPECTOR, PW, by="test")
    users.add(0, "sophie", "Sophie Blanc", Role.SUPERVISOR, PW, by="test")
    yield ServiceFacade(lab.pipeline, users, lab.clock, ClockSync(False))
    users.close()


def ack(user: str = "anne", password: str = PW) -> AckRequest:
    return AckRequest(user=user, password=SecretStr(password), comment="door closed")


async def test_an_acknowledgement_is_signed_and_on_record(
    lab: PipelineLab, facade: ServiceFacade
) -> None:
    lab.run(11 * 60, 10, WARM)
    answer = await facade.acknowledge("band:F1", ack())
    assert answer["state"] == "active_acknowledged"
    assert answer["acknowledged_by"] == "Anne Martin"
    [record] = [r for r in lab.records("alarms") if r.kind == "alarm_acknowledged"]
    assert record.fields["printed_name"] == "Anne Martin"
    assert record.fields["meaning"] == "acknowledged"
    assert record.fields["comment"] == "door closed"


@pytest.mark.parametrize(
    ("request_", "error"),
    [(ack(password="wrong"), AuthError), (ack(user="ines"), NotPermitted)],
    ids=["wrong password", "inspector"],
)
async def test_a_refused_acknowledgement_changes_nothing(
    lab: PipelineLab, facade: ServiceFacade, request_: AckRequest, error: type[Exception]
) -> None:
    lab.run(11 * 60, 10, WARM)
    before = lab.records("alarms")
    with pytest.raises(error):
        await facade.acknowledge("band:F1", request_)
    assert lab.records("alarms") == before
    assert lab.alarm("band:F1").state.value == "active_unacknowledged"


async def test_an_unknown_alarm_is_named(facade: ServiceFacade) -> None:
    with pytest.raises(NotFound, match="unknown alarm 'band:F9'"):
        await facade.acknowledge("band:F9", ack())


async def test_a_supervisor_shelves_with_a_reason_and_an_end(
    lab: PipelineLab, facade: ServiceFacade
) -> None:
    lab.run(11 * 60, 10, WARM)
    body = ShelveRequest(user="sophie", password=SecretStr(PW), comment="defrost", minutes=30)
    answer = await facade.shelve("band:F1", body)
    assert answer["state"] == "shelved"
    assert answer["shelved_until_ns"] == lab.clock.now + 30 * 60 * 10**9
    [record] = [r for r in lab.records("alarms") if r.kind == "alarm_shelved"]
    assert record.fields["comment"] == "defrost"


async def test_the_password_check_does_not_hold_the_loop(lab: PipelineLab, tmp_path: Path) -> None:
    slow = UserStore(tmp_path / "slow.sqlite")  # the real argon2id profile, some 0.1-0.3 s
    slow.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    facade = ServiceFacade(lab.pipeline, slow, lab.clock, ClockSync(False))
    lab.run(11 * 60, 10, WARM)
    beats: list[float] = []

    async def heartbeat() -> None:
        while True:
            beats.append(time.monotonic())
            await asyncio.sleep(0.005)

    beat = asyncio.create_task(heartbeat())
    try:
        await facade.acknowledge("band:F1", ack())
    finally:
        beat.cancel()
        await asyncio.gather(beat, return_exceptions=True)
        slow.close()
    assert len(beats) >= 5, "the loop went on beating while the hash was checked"


async def test_a_cycle_start_for_a_lot_without_bacteriology_is_refused(
    facade: ServiceFacade,
) -> None:
    start = CycleStartRequest(user="anne", password=SecretStr(PW), pasteuriser="P1",
                              lots=["L2026-404"], program="holder63")  # fmt: skip
    with pytest.raises(NotFound, match="unknown lot"):
        await facade.start_cycle(start)


async def test_a_cycle_starts_linked_to_its_lots_and_signed(
    lab: PipelineLab, facade: ServiceFacade
) -> None:
    lot = LotCreateRequest(user="anne", password=SecretStr(PW), lot="L2026-001",
                           sub_lots=["D1"], total_flora_cfu_ml=5e3, s_aureus_cfu_ml=10)  # fmt: skip
    await facade.create_lot(lot)
    start = CycleStartRequest(user="anne", password=SecretStr(PW), pasteuriser="P1",
                              lots=["L2026-001"], program="holder63")  # fmt: skip
    started = await facade.start_cycle(start)
    kinds = [r.kind for r in lab.records(started["cycle"])]
    assert kinds[:2] == ["cycle_started", "cycle_signed"]
    linked = [r for r in lab.records("lot:L2026-001") if r.kind == "cycle_linked"]
    assert linked[0].fields["meaning"] == "linked"
    with pytest.raises(Refused, match="already runs"):
        await facade.start_cycle(start)


async def test_a_cycle_start_is_refused_while_a_probe_it_needs_is_unavailable(
    lab: PipelineLab, facade: ServiceFacade
) -> None:
    from drivers.sink import AvailabilityChange

    lot = LotCreateRequest(user="anne", password=SecretStr(PW), lot="L2026-001",
                           sub_lots=["D1"], total_flora_cfu_ml=5e3, s_aureus_cfu_ml=10)  # fmt: skip
    await facade.create_lot(lot)
    change = AvailabilityChange("P1-ref", lab.clock.now, False, "Modbus timeout after 0.5 s")
    lab.pipeline.on_availability(change)
    start = CycleStartRequest(user="anne", password=SecretStr(PW), pasteuriser="P1",
                              lots=["L2026-001"], program="holder63")  # fmt: skip
    with pytest.raises(Refused, match="reference probe P1-ref is unavailable"):
        await facade.start_cycle(start)
    assert not lab.pipeline.cycles
    lab.pipeline.on_availability(AvailabilityChange("P1-ref", lab.clock.now, True, "answering"))
    assert (await facade.start_cycle(start))["pasteuriser"] == "P1"


def test_status_counts_the_rejected_payloads_per_probe_and_reason(facade: ServiceFacade) -> None:
    import logging

    from drivers.reject_log import RejectLog

    rejects = RejectLog(logging.getLogger("test.rejects"))
    for _ in range(3):
        rejects.reject("F1-air", "not JSON", "b'{'")
    rejects.reject("F1-air", "no temperature", "{}")
    facade.reject_logs = [rejects]
    assert facade.status()["rejects"] == {"F1-air": {"not JSON": 3, "no temperature": 1}}
