"""Sealed cycles in a real daemon's journal, what their pages must show, the same daemon
started again on its folder, and a child runner that fails the test if a child is started."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from monitor.clock import NS_PER_S, ScaledClock
from monitor.journal import Journal, JournalReader
from monitor.reports.cycle_curve import build_curve
from monitor.service.daemon import Daemon
from monitor.web import cycle_views, view_warming
from monitor.web.curve_json import curve_json
from monitor.web.view_files import ViewFiles, views_folder
from monitor.web.view_format import Head
from tests.monitor.service.quiet_daemon import ORIGIN_NS, quiet_lab
from tests.monitor.web.test_cycle_views import readings, started


def seal_a_cycle(journal: Journal, cycle: str, start: int) -> None:
    """A cycle of two minutes on three probes, passed and sealed, committed."""
    started(journal, cycle, start)
    readings(journal, cycle, start, range(1, 120))
    journal.append_event(cycle, "cycle_passed", {
        "outcome": "pass", "reasons": "", "to_mark_s": 30.0, "hold_restarts": 0},
        ts=start + 120 * NS_PER_S)  # fmt: skip
    journal.seal(cycle, "cycle pass")
    journal.flush()


def true_view(path: Path, cycle: str) -> tuple[Head, bytes]:
    """The head of ``cycle`` and its curve as JSON, read here from the journal itself."""
    with JournalReader(path) as reader:
        head = reader.stream_head(cycle)
        records = reader.stream_records(cycle)
    assert head is not None
    return head, json.dumps(curve_json(build_curve(records))).encode()


def view_files(daemon: Daemon) -> ViewFiles:
    """The daemon's folder of views, read with its key."""
    assert daemon.pipeline is not None
    journal = daemon.pipeline.journal
    return ViewFiles(views_folder(daemon.settings.journal.path), journal.key)


def no_warming(monkeypatch: pytest.MonkeyPatch) -> None:
    """The start's round of warming waits an hour: the test alone writes views."""
    monkeypatch.setattr(view_warming, "START_DELAY_S", 3600.0)


def no_child(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every child started from now on fails its page; the list says which were asked for."""
    asked: list[list[str]] = []

    async def refuse(args: list[str], *_: object, **__: object) -> tuple[int, bytes, bytes]:
        asked.append(list(args))
        return 1, b"", b"no child may be started here\n"

    monkeypatch.setattr(cycle_views, "run_python", refuse)
    return asked


@asynccontextmanager
async def started_again(tmp: Path, before: Daemon) -> AsyncIterator[Daemon]:
    """The daemon of ``quiet_daemon(tmp, ...)`` started again, once ``before`` has stopped:
    the same journal, key, users and views; its clock goes on from where ``before`` stood."""
    settings = quiet_lab(tmp)
    went_on = (before.clock.now_ns() - ORIGIN_NS) / NS_PER_S
    daemon = Daemon(settings, ScaledClock(1.0, ORIGIN_NS, real_start=time.monotonic() - went_on))
    task = asyncio.create_task(daemon.run(), name="daemon again")
    try:
        await asyncio.wait_for(daemon.ready.wait(), 10)
        yield daemon
    finally:
        daemon.stop("tests over")
        await asyncio.wait_for(task, 10)


async def until_written(files: ViewFiles, cycle: str, head: Head, within_s: float = 20) -> None:
    for _ in range(int(within_s / 0.1)):
        if await asyncio.to_thread(files.load, cycle, head) is not None:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"no view of {cycle} written within {within_s:g} s")
