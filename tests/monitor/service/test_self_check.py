"""The daemon's self-check on a real journal: a reading forged after the clean close is found
at the next start, never signed, alarmed for a supervisor to acknowledge; a row altered under
the running daemon is found by the continuous re-check within a bounded wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from unittest.mock import patch

import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr

from config import Settings
from monitor.alarms import AlarmManager, AlarmState, Priority
from monitor.api.requests import AckRequest
from monitor.clock import NS_PER_S, ScaledClock
from monitor.journal import FindingKind, Journal, JournalReader, keygen, verify_journal
from monitor.journal.record import FieldValue
from monitor.journal.session_findings import DAMAGED
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.clock_sync import ClockSync
from monitor.service.daemon import Daemon
from monitor.service.facade import ServiceFacade
from monitor.service.self_check import RECORDS_PER_S, STEP_S, SelfCheck
from monitor.users import NotPermitted, Role, UserStore
from tests.monitor.journal.forged_tail import alter, forge_reading, row_of
from tests.monitor.journal.samples import CYCLE, ENCLOSURE, T0, S, StepClock, build_journal
from tests.monitor.journal.samples import device_key as sample_key
from tests.monitor.service.quiet_daemon import ORIGIN_NS, PW, STALE, quiet_lab
from tests.monitor.service.test_daemon_e2e import until

KEY = "journal:integrity"
F1_DAY = "enclosure:F1:2026-11-20"
HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
DEVICE_KEY = sample_key()


@pytest.fixture
def lab(tmp_path: Path) -> tuple[Settings, str]:
    settings = quiet_lab(tmp_path)
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(settings.users.path, HASHER)
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.add(0, "sophie", "Sophie Blanc", Role.SUPERVISOR, PW, by="test")
    users.close()
    return settings, public_key


@asynccontextmanager
async def running(settings: Settings, origin_ns: int) -> AsyncIterator[Daemon]:
    daemon = Daemon(settings, ScaledClock(1.0, origin_ns))
    task = asyncio.create_task(daemon.run(), name="daemon")
    try:
        await asyncio.wait_for(daemon.ready.wait(), 10)
        assert daemon.pipeline is not None
        alarms = daemon.pipeline.desk.manager.alarms
        # Past the start-up grace: a stop within the drivers' first connection hangs them.
        await until(lambda: STALE in alarms, 10, "the quiet lab's stale alarm")
        yield daemon
    finally:
        daemon.stop("test over")
        await asyncio.wait_for(task, 10)


def ack(user: str) -> AckRequest:
    return AckRequest(user=user, password=SecretStr(PW), comment="journal seen")


async def test_a_reading_forged_after_the_close_is_found_never_signed_and_alarmed(
    lab: tuple[Settings, str],
) -> None:
    settings, public_key = lab
    path = settings.journal.path
    async with running(settings, ORIGIN_NS):
        pass  # a run, closed cleanly
    forged = forge_reading(path, F1_DAY, ORIGIN_NS + 30 * NS_PER_S)
    async with running(settings, ORIGIN_NS + 60 * NS_PER_S) as daemon:
        assert daemon.pipeline is not None
        desk = daemon.pipeline.desk
        await until(lambda: KEY in desk.manager.alarms, 5, "the integrity alarm")
        alarm = desk.get(KEY)
        assert alarm.priority is Priority.HIGH
        assert alarm.source == "journal"
        assert "stored after the journal was closed" in alarm.message
        users = UserStore(settings.users.path, HASHER)
        try:
            facade = ServiceFacade(daemon.pipeline, users, daemon.clock, ClockSync(False))
            assert F1_DAY in facade.status()["self_check"]["found_by_writer"]
            refused = f"only a supervisor may acknowledge alarm {KEY}"
            with pytest.raises(NotPermitted, match=refused):
                await facade.acknowledge(KEY, ack("anne"))
            assert desk.get(KEY).needs_ack
            answer = await facade.acknowledge(KEY, ack("sophie"))
        finally:
            users.close()
        assert answer["acknowledged_by"] == "Sophie Blanc"
        assert desk.get(KEY).state is AlarmState.NORMAL
    with JournalReader(path) as reader:
        after = reader.stream_records(F1_DAY)[forged.seq :]
    assert after[0].kind == "stream_damaged"  # the head moved past it with its note only
    assert after[0].fields["first_seq"] == forged.seq
    report = verify_journal(path, public_key)
    assert not report.ok, report.format()
    kinds = {f.kind for f in report.at(F1_DAY, forged.seq)}
    assert {FindingKind.AFTER_CLOSE, FindingKind.DAMAGE_NOTED} <= kinds, report.format()


async def test_a_row_altered_under_the_running_daemon_is_found_and_alarmed(
    lab: tuple[Settings, str],
) -> None:
    settings, _ = lab
    path = settings.journal.path
    async with running(settings, ORIGIN_NS) as daemon:
        assert daemon.pipeline is not None
        journal, desk = daemon.pipeline.journal, daemon.pipeline.desk
        progress = journal.recheck
        await until(lambda: progress.passes_completed > 0, 10, "a first pass of the re-check")
        assert progress.last_pass_findings == 0
        assert KEY not in desk.manager.alarms
        journal.flush()
        row = row_of(path, "device", 1)  # journal_opened, long committed and signed
        alter(path, "extra = replace(extra, '\"new\"', '\"clean\"')", row)
        altered = time.monotonic()
        with JournalReader(path) as reader:
            rows = reader.last_row_id()
        bound_s = 2 * (rows / RECORDS_PER_S + STEP_S) + 5  # two passes at most, and a margin
        await until(lambda: KEY in desk.manager.alarms, bound_s, "the re-check's finding")
        found_s = time.monotonic() - altered
        alarm = desk.get(KEY)
        assert f"device#1 (row {row})" in alarm.message
        assert "found by the continuous re-check" in alarm.message
        assert alarm.state is AlarmState.RTN_UNACKED  # on record; it waits for a supervisor
        assert any(f"device#1 (row {row})" in text for text in progress.found)
        assert notes_and_raises(daemon) == ([("device", 1)], 1)
        seen = progress.passes_completed
        await until(lambda: progress.passes_completed > seen + 1, bound_s, "two more passes")
        assert notes_and_raises(daemon) == ([("device", 1)], 1)  # found again, raised once
    assert found_s < bound_s


def notes_and_raises(daemon: Daemon) -> tuple[list[tuple[FieldValue, FieldValue]], int]:
    """The damage notes of ``device`` (stream, first seq), and how often the alarm rose."""
    assert daemon.pipeline is not None
    daemon.pipeline.journal.flush()
    with JournalReader(daemon.pipeline.journal.path) as reader:
        device = reader.stream_records("device")
        alarms = reader.stream_records("alarms")
    notes = [(r.fields["stream"], r.fields["first_seq"]) for r in device if r.kind == DAMAGED]
    raised = [r for r in alarms if r.kind == "alarm_raised" and r.fields["alarm"] == KEY]
    return notes, len(raised)


def test_a_journal_damaged_wholesale_is_noted_a_bounded_number_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    build_journal(path, DEVICE_KEY, checkpoint_every=1000)
    with Journal(path, DEVICE_KEY, StepClock(now=T0 + 9000 * S)) as journal:
        rows = [row_of(path, ENCLOSURE, seq) for seq in range(1, 10)]
        rows += [row_of(path, CYCLE, seq) for seq in range(1, 12)]
        for row in rows:
            alter(path, "ts = ts + 1", row)
        desk = AlarmDesk(AlarmManager(), journal, lambda note: None)
        check = SelfCheck(journal, desk, journal.clock, records_per_s=1000)
        with patch("monitor.service.self_check.NOTES_PER_PASS", 8):
            check.start()
            check.step()  # one pass: the file is small
            assert len(check.progress.found) == 8
            check.step()
            check.step()
            assert len(check.progress.found) == len(rows) == 20
        found = {d.split(" (row ")[0] for d in check.progress.found}
        assert len(found) == 20
        journal.flush()
        with JournalReader(path) as reader:
            notes = [r for r in reader.stream_records("device") if r.kind == DAMAGED]
            raised = [r for r in reader.stream_records("alarms") if r.kind == "alarm_raised"]
    assert len(notes) == 20
    assert len(raised) == 3  # one a pass


def test_a_restart_goes_on_with_the_pass_where_it_stood_without_false_findings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite"
    build_journal(path, DEVICE_KEY, checkpoint_every=3)
    with Journal(path, DEVICE_KEY, StepClock(now=T0 + 9000 * S)) as journal:
        desk = AlarmDesk(AlarmManager(), journal, lambda note: None)
        first = SelfCheck(journal, desk, journal.clock, records_per_s=7, step_s=1.0)
        first.start()
        first.step()
        first.step()
        stood = first.progress.row_reached
        assert stood > 7
        first.save()
    # A row the first run had not reached yet is altered while the daemon is down.
    alter(path, "ts = ts + 1", row_of(path, ENCLOSURE, 8))
    with Journal(path, DEVICE_KEY, StepClock(now=T0 + 9500 * S)) as journal:
        desk = AlarmDesk(AlarmManager(), journal, lambda note: None)
        again = SelfCheck(journal, desk, journal.clock, records_per_s=1000)
        again.start()
        assert again.progress.row_reached == stood
        again.step()  # the rest of the pass, from where it stood
        assert again.progress.passes_completed == 1
        found = list(again.progress.found)
        # The alteration (its chain, and the checkpoint signature it holds), nothing made up
        # by the resume: the first record of each stream after it is taken as found.
        assert found
        assert all(f.startswith(f"{ENCLOSURE}#8 ") for f in found), found
        again.step()  # a whole new pass from row 1: the same findings, no more
        assert again.progress.passes_completed == 2
        assert again.progress.last_pass_findings == len(found)


def test_an_unreadable_position_starts_a_new_pass(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    build_journal(path, DEVICE_KEY)
    path.with_name(path.name + ".recheck").write_text("{not json")
    with Journal(path, DEVICE_KEY, StepClock(now=T0 + 9000 * S)) as journal:
        desk = AlarmDesk(AlarmManager(), journal, lambda note: None)
        check = SelfCheck(journal, desk, journal.clock, records_per_s=1000)
        check.start()
        assert check.progress.row_reached == 0
        check.step()
        assert check.progress.passes_completed == 1
        assert check.progress.found == []
