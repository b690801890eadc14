"""Sealed cycles' views written before anyone asks: a cycle as it closes in the daemon, and at
the start the most recent sealed cycles that lack a valid file, newest first, one child at a
time; then their pages are served without a child."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.sink import AvailabilityChange
from monitor.evaluation import LotBacteriology
from monitor.journal import cycle_stream
from monitor.users import Role
from monitor.web import cycle_views, view_warming
from monitor.web.child_run import run_python
from tests.monitor.service.quiet_daemon import ORIGIN_NS, quiet_daemon
from tests.monitor.web.sealed_cycles import (
    no_child,
    no_warming,
    seal_a_cycle,
    started_again,
    true_view,
    until_written,
    view_files,
)
from tests.monitor.web.test_cycle_views import readings, started
from tests.monitor.web.test_view_files_http import PEOPLE, page_and_curve

S = 1_000_000_000
HOUR = 3600 * S


def children(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cycles children are started for from now on, in turn (they run as ever)."""
    asked: list[str] = []

    async def counted(args: list[str], *more: float) -> tuple[int, bytes, bytes]:
        asked.append(args[-1])
        return await run_python(args, *more)

    monkeypatch.setattr(cycle_views, "run_python", counted)
    return asked


async def test_a_cycle_that_closes_is_written_ahead_and_served_without_a_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_warming(monkeypatch)
    async with quiet_daemon(tmp_path, {"anne": Role.TECHNICIAN}) as daemon:
        pipeline = daemon.pipeline
        assert pipeline is not None
        now = daemon.clock.now_ns()
        for probe in ("P1-bath", "P1-ref"):  # as if the pasteuriser answered
            pipeline.on_availability(AvailabilityChange(probe, now, True, ""))
        lots = [LotBacteriology("L2026-001", 5e3, 10)]
        cycle = pipeline.start_cycle("P1", lots, "holder63", now).stream
        pipeline.abort_cycle("P1", "anne", "wrong program", daemon.clock.now_ns())
        pipeline.journal.flush()
        head, curve = true_view(pipeline.journal.path, cycle)
        await until_written(view_files(daemon), cycle, head)
        asked = no_child(monkeypatch)
        page, served = await page_and_curve(daemon.api_url, cycle)
    assert asked == []
    assert served == curve
    assert "ABORTED" in page


async def test_at_the_start_the_recent_sealed_cycles_lacking_a_file_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_warming(monkeypatch)
    monkeypatch.setattr(view_warming, "AT_START", 3)
    # Four sealed cycles, oldest first, and a newer one never sealed (its daemon died).
    oldest, has_a_file, tampered, newest, unsealed = (
        cycle_stream("P1", ORIGIN_NS - (10 - n) * HOUR) for n in range(5)
    )
    async with quiet_daemon(tmp_path, PEOPLE) as first:
        assert first.pipeline is not None
        journal = first.pipeline.journal
        for n, cycle in enumerate((oldest, has_a_file, tampered, newest)):
            seal_a_cycle(journal, cycle, ORIGIN_NS - (10 - n) * HOUR)
        started(journal, unsealed, ORIGIN_NS - 6 * HOUR)
        readings(journal, unsealed, ORIGIN_NS - 6 * HOUR, range(1, 30))
        journal.flush()
        heads = {c: true_view(journal.path, c)[0] for c in (has_a_file, tampered, newest)}
        curve = true_view(journal.path, newest)[1]
        # Their first views: both written.
        await page_and_curve(first.api_url, has_a_file)
        await page_and_curve(first.api_url, tampered)
        files = view_files(first)
    kept = files.path_of(has_a_file).stat()
    damaged = files.path_of(tampered)
    damaged.write_bytes(damaged.read_bytes().replace(b"cycle_passed", b"cycle_failed"))

    monkeypatch.setattr(view_warming, "START_DELAY_S", 0.0)
    asked = children(monkeypatch)
    async with started_again(tmp_path, first) as daemon:
        await until_written(files, newest, heads[newest])
        await until_written(files, tampered, heads[tampered])
        refused = no_child(monkeypatch)
        _, served = await page_and_curve(daemon.api_url, newest)
    # Newest first; the others have a valid file, are beyond the three most recent, or were
    # never sealed.
    assert asked == [newest, tampered]
    assert refused == []
    assert served == curve
    again = files.path_of(has_a_file).stat()
    assert (again.st_ino, again.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert not files.path_of(oldest).exists()
    assert not files.path_of(unsealed).exists()
