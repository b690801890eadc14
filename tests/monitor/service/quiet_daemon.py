"""A real daemon with nothing to read but one real alarm, for tests of what people ask of it.

Its drivers find nothing to talk to; probe F2-air, polled every half second and never
answered, raises a real ``stale:F2-air`` alarm once the start-up grace is over, and every
other probe is polled hourly so it does not go stale while a test module runs. The clock
runs at real speed from a fixed start, away from midnight (day streams roll over) and before
the example's calibration due dates, whatever the date the tests run on. ``snapshot`` is
what "nothing changed" compares: records per stream, every alarm field, running cycles.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

from config import Settings
from monitor.alarms import Alarm, AlarmState
from monitor.clock import ScaledClock, datetime_to_ns
from monitor.journal import JournalReader, keygen
from monitor.service.daemon import Daemon
from monitor.users import Role, UserStore
from tests.fixtures.ports import free_port
from tests.monitor.service.lab_settings import lab_settings

PW = "correct horse battery"
ORIGIN_NS = datetime_to_ns(datetime(2026, 11, 20, 9, tzinfo=UTC))
P1_DAY = "pasteuriser:P1:2026-11-20"  # P1's records while no cycle runs, that day in Paris
STALE = "stale:F2-air"

Snapshot = tuple[dict[str, int], dict[str, Alarm], list[str]]


def quiet_lab(tmp: Path, **sections: dict[str, object]) -> Settings:
    """``sections`` adds or replaces sections; ``journal`` adds to the quiet journal's keys."""
    journal = {"path": str(tmp / "journal.sqlite"), "commit_interval_s": 0.2,
               "checkpoint_every_s": 86400.0, **sections.pop("journal", {})}  # fmt: skip
    settings = lab_settings(tmp, free_port(), journal=journal, **sections)
    probes = [
        p.model_copy(update={"sample_period_s": 0.5, "stale_after_periods": 1})
        if p.id == "F2-air"
        else p.model_copy(update={"sample_period_s": 3600.0})
        for p in settings.probes
    ]
    return settings.model_copy(update={"probes": probes})


@asynccontextmanager
async def quiet_daemon(
    tmp: Path, people: Mapping[str, Role], **sections: dict[str, object]
) -> AsyncIterator[Daemon]:
    """The daemon running, its users added (password ``PW``) and its stale alarm raised;
    ``sections`` adds or replaces sections of its settings."""
    settings = quiet_lab(tmp, **sections)
    keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    for name, role in people.items():
        users.add(0, name, name.title(), role, PW, by="test")
    users.close()
    daemon = Daemon(settings, ScaledClock(1.0, ORIGIN_NS))
    task = asyncio.create_task(daemon.run(), name="daemon")
    try:
        await asyncio.wait_for(daemon.ready.wait(), 10)
        assert daemon.pipeline is not None
        alarms = daemon.pipeline.desk.manager.alarms
        for _ in range(200):  # the start-up grace, then the first tick
            if STALE in alarms:
                break
            await asyncio.sleep(0.05)
        stale = alarms.get(STALE)
        assert stale is not None, f"no {STALE} alarm 10 s after the start"
        assert stale.state is AlarmState.UNACKED
        yield daemon
    finally:
        daemon.stop("tests over")
        await asyncio.wait_for(task, 10)


def snapshot(daemon: Daemon) -> Snapshot:
    pipeline = daemon.pipeline
    assert pipeline is not None
    pipeline.journal.flush()  # what the daemon appended, without waiting for its committer
    with JournalReader(pipeline.journal.path) as reader:
        records = {name: len(reader.stream_records(name)) for name in reader.stream_names()}
    return records, copy.deepcopy(pipeline.desk.manager.alarms), sorted(pipeline.cycles)
