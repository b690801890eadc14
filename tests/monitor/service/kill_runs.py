"""Daemon processes killed with SIGKILL and started again, and what their journals say after.

Helpers of ``test_kill_restart_day``: the settings of a run in a folder of its own, bounded
waits (real seconds) for a process to serve or to exit, a kill and a restart, and views of
a journal once its run is over: the final state of every alarm, the closed days of the
enclosures, their readings, and the stretches a killed run did not see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from config.loading import validate_mapping
from monitor.clock import ScaledClock
from monitor.journal import JournalReader, Record
from monitor.journal.streams import ALARM_STREAM
from tests.fixtures.api_token import READ_HEADERS
from tests.fixtures.ports import free_port
from tests.monitor.service.daemon_process import Daemons
from tests.monitor.service.lab_settings import lab_settings_mapping


def daemons_in(
    folder: Path,
    mqtt_port: int,
    clock: ScaledClock,
    *,
    stale_after_periods: int | None = None,
    **sections: dict[str, object],
) -> Daemons:
    """A run's settings (journal, key, users, ports) in ``folder``, its processes on ``clock``."""
    folder.mkdir(parents=True, exist_ok=True)
    sections = {"web": {"host": "127.0.0.1", "port": free_port()}, **sections}
    data = lab_settings_mapping(folder, mqtt_port, **sections)
    if stale_after_periods is not None:
        for probe in data["probes"]:
            probe["stale_after_periods"] = stale_after_periods
    config = folder / "settings.json"
    config.write_text(json.dumps(data, default=str))
    settings = validate_mapping(json.loads(config.read_text()), str(config))
    return Daemons(config, settings, clock, folder)


def url_of(daemons: Daemons) -> str:
    return f"http://127.0.0.1:{daemons.settings.web.port}"


async def serving(daemons: Daemons, process: subprocess.Popen[bytes], within_s: float) -> None:
    """Wait until ``process`` answers ``/api/health``."""
    url = url_of(daemons) + "/api/health"
    timeout = aiohttp.ClientTimeout(total=2.0)
    async with aiohttp.ClientSession(timeout=timeout, headers=READ_HEADERS) as session:
        for _ in range(int(within_s / 0.05)):
            if process.poll() is not None:
                raise AssertionError(f"the daemon exited ({process.returncode})\n"
                                     f"{daemons.log_tail()}")  # fmt: skip
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise AssertionError(f"the daemon did not serve {url} within {within_s} s\n"
                         f"{daemons.log_tail()}")  # fmt: skip


async def post(url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s, s.post(url + path, json=body) as r:
        return r.status, await r.json()


async def exit_code(process: subprocess.Popen[bytes], within_s: float) -> int:
    for _ in range(int(within_s / 0.02)):
        code = process.poll()
        if code is not None:
            return code
        await asyncio.sleep(0.02)
    raise AssertionError(f"daemon process {process.pid} did not exit within {within_s} s")


async def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL, as a crash or a power cut: nothing of the process runs after it."""
    os.kill(process.pid, signal.SIGKILL)
    assert await exit_code(process, 10) == -signal.SIGKILL


async def restart(daemons: Daemons) -> subprocess.Popen[bytes]:
    """A new process on the same journal and timeline, once it serves."""
    started = daemons.start()
    await serving(daemons, started, 30)
    return started


async def stop(daemons: Daemons, process: subprocess.Popen[bytes]) -> None:
    """A clean stop (SIGTERM): the machines' state and the close are journaled."""
    process.terminate()
    assert await exit_code(process, 20) == 0, daemons.log_tail()


async def until_sim(clock: ScaledClock, at_s: float) -> None:
    """Sleep until ``clock`` stands ``at_s`` simulated seconds after its origin."""
    await clock.sleep(at_s - clock.monotonic())


async def until_journal(
    check: Callable[[], bool], within_s: float, what: str, daemons: Daemons
) -> None:
    """Wait for a check of the journal, read in a thread and seldom: the simulator shares
    this loop, and a stalled simulator is a silent lab."""
    for _ in range(int(within_s / 0.2)):
        if await asyncio.to_thread(check):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{daemons.log_tail()}")


# -- the journal after the run --------------------------------------------------------------


def stream_records(journal: Path, stream: str) -> list[Record]:
    with JournalReader(journal) as reader:
        return reader.stream_records(stream)


def final_alarms(journal: Path) -> dict[str, tuple[str, bool]]:
    """Every alarm's state and whether its condition is active, after its last transition."""
    final: dict[str, tuple[str, bool]] = {}
    for record in stream_records(journal, ALARM_STREAM):
        if not record.kind.startswith("alarm_"):
            continue
        f = record.fields
        key, active = str(f["alarm"]), final.get(str(f["alarm"]), ("", False))[1]
        if f["action"] in ("raised", "cleared"):
            active = f["action"] == "raised"
        final[key] = (str(f["state_to"]), active)
    return final


def closed_days(journal: Path, day: str) -> dict[str, list[Record]]:
    """The ``day_summarised`` records of ``day``, by enclosure (one each, if all is well)."""
    with JournalReader(journal) as reader:
        found = reader.records_of_kind("day_summarised", "enclosure:")
    days: dict[str, list[Record]] = {}
    for record in found:
        if record.fields["day"] == day:
            days.setdefault(str(record.fields["subject"]), []).append(record)
    return days


def enclosure_readings(
    journal: Path, enclosure: str, day: str | None = None
) -> list[tuple[int, float]]:
    """(ts, °C) of every usable reading of the enclosure's probes, of ``day`` or of all."""
    prefix = f"enclosure:{enclosure}:{day or ''}"
    with JournalReader(journal) as reader:
        streams = [s for s in reader.stream_names() if s.startswith(prefix)]
        records = [r for s in streams for r in reader.stream_records(s)]
    return sorted(
        (r.ts, float(r.fields["value"]))
        for r in records
        if r.kind == "reading" and r.fields["quality"] != "fault" and "value" in r.fields
    )


def unseen_spans(seen: list[int], restarts: list[int]) -> list[tuple[int, int]]:
    """The stretches a killed run has no reading of: before its first one, and across each
    restart from the last reading before it to the first one after it (open intervals)."""
    spans = [(0, seen[0])]
    for restart in restarts:
        before = max((ts for ts in seen if ts < restart), default=0)
        after = min((ts for ts in seen if ts >= restart), default=2**63)
        spans.append((before, after))
    return spans


def reopened_unclean(journal: Path) -> list[int]:
    """When each process opened the journal after one that did not close it (a kill)."""
    return [
        r.ts
        for r in stream_records(journal, "device")
        if r.kind == "journal_reopened" and r.fields["previous_session"] == "unclean"
    ]


def unclean_restarts(journal: Path) -> list[int]:
    """When the daemon recorded (and alarmed) that the run before it had not stopped cleanly."""
    return [r.ts for r in stream_records(journal, "device") if r.kind == "unclean_restart"]
