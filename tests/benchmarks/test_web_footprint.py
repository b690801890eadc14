"""The web application's memory: the daemon's RSS with the pages and without them at the demo
lab's load, and over 2,000 page views.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_web_footprint.py -s`` (about 5
minutes). A week of the demo lab is written (``web_week``) and replayed once by the daemon;
two copies of it then serve two ``lactamon run`` processes side by side, as systemd starts
them, the same but for ``web.pages``, both fed by the lab at 1x (``lactamon-sim`` through a
real Mosquitto). After a warm-up each one's ``VmRSS`` is sampled every second for
``SAMPLE_S`` s, the median kept: the difference is what the pages cost. A technician then
signs in on the daemon with the pages and views every page of ``pages()`` once (each
cycle's page and curve among them: what first views allocate, the templates compiled), and
the RSS is sampled again; then twice ``VIEWS`` views go round the same pages, the RSS
sampled after each. A view's growth is counted less what the daemon without the pages
drifted by over the same time (the lab's own).

Goals: the pages add <= 8 MB at every sampling; no growth after the first 1,000 views
(<= ``GROWTH_MB``, the noise of two samplings: the allocator may still reach its plateau
within the first). Whether each daemon mapped Jinja2's compiled part is printed too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config import Settings, load_settings
from simulator.scenario import load_scenario
from tests.benchmarks.test_demo_footprint import (
    BIN,
    running,
    status_value,
    toml_text,
    wait_for_line,
    write_lab,
)
from tests.benchmarks.web_week import (
    PASSWORD,
    STORE,
    USER,
    S,
    Week,
    add_reader,
    prime,
    write_week,
)
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.monitor.web.web_client import WebClient

pytestmark = pytest.mark.benchmark

WARM_UP_S = 20.0
SAMPLE_S = 15
VIEWS = 1000
ROUNDS = 2  # the resident set may still rise to a plateau over the first 1,000 views
GOAL_MB = 8.0
GROWTH_MB = 1.0
MB = 1e6


@dataclass(frozen=True, slots=True)
class Variant:
    """One of the two daemons: its settings file (its folder holds its journal and log)."""

    settings_file: Path
    settings: Settings

    @property
    def log(self) -> Path:
        return self.settings_file.with_name("daemon.log")

    @property
    def args(self) -> list[str]:
        return [str(BIN / "lactamon"), "run", "--config", str(self.settings_file)]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.web.port}"


def copy_without_pages(source: Variant, folder: Path) -> Variant:
    """The same daemon on a copy of its journal, its key and its users, without the pages;
    its own address, socket and device name (its own client id on the shared broker)."""
    folder.mkdir()
    for path in source.settings_file.parent.iterdir():
        if path.name.startswith(("journal.sqlite", "device.key", "users.sqlite")):
            shutil.copy2(path, folder / path.name)
    data = tomllib.loads(source.settings_file.read_text(encoding="utf-8"))
    data["journal"]["path"] = str(folder / "journal.sqlite")
    data["signing"]["key_file"] = str(folder / "device.key")
    data["users"]["path"] = str(folder / "users.sqlite")
    data["web"] = {**data["web"], "port": free_port(), "pages": False}
    data["site"]["device"] = "bench-api-only"
    settings_file = folder / "lab.toml"
    settings_file.write_text(toml_text(data), encoding="utf-8")
    return Variant(settings_file, load_settings(settings_file))


def pages(settings: Settings, week: Week) -> list[str]:
    """A round of the pages people read: every cycle's page and curve, and one of each other."""
    zone = ZoneInfo(settings.site.timezone)
    start = week.cycles[0].split(":", 2)[2].removesuffix("Z")
    day = datetime.fromisoformat(start + "+00:00").astimezone(zone).date()
    cycles = [p for c in week.cycles for p in (f"/cycles/{c}", f"/cycles/{c}/curve.json")]
    return [
        "/",
        "/alarms",
        "/cycles",
        *cycles,
        "/lots",
        f"/lots/{week.lots[0]}",
        "/sheets",
        f"/sheets/{STORE}/{day.isoformat()}",
        "/probes",
        "/audit",
    ]


async def view(client: WebClient, paths: list[str], times: int) -> float:
    """``times`` views going round ``paths``; the seconds they took."""
    started = time.perf_counter()
    for i in range(times):
        path = paths[i % len(paths)]
        # Not followed: a session lost would make every view the sign-in page.
        async with client.http.get(client.base + path, allow_redirects=False) as answer:
            body = await answer.read()
            assert answer.status == 200, (path, answer.status, body[:500])
    return time.perf_counter() - started


async def sample(pids: list[int]) -> list[float]:
    """The median ``VmRSS`` of each process over ``SAMPLE_S`` s, in MB."""
    kb: list[list[int]] = [[] for _ in pids]
    for _ in range(SAMPLE_S):
        for i, pid in enumerate(pids):
            kb[i].append(status_value(pid, "VmRSS"))
        await asyncio.sleep(1.0)
    return [statistics.median(k) * 1024 / MB for k in kb]


def maps_jinja(pid: int) -> bool:
    """Whether the process mapped MarkupSafe's compiled part: Jinja2 imports it."""
    return "markupsafe/_speedups" in Path(f"/proc/{pid}/maps").read_text()


async def test_web_footprint(tmp_path: Path, mosquitto: MosquittoBroker) -> None:
    (tmp_path / "with").mkdir()
    settings_file, scenario_file = write_lab(tmp_path / "with", mosquitto.port)
    load_scenario(scenario_file)  # a mistake in the files fails here, not in a subprocess
    on = Variant(settings_file, load_settings(settings_file))
    week = await asyncio.to_thread(write_week, on.settings, (time.time_ns() // S - 60) * S)
    add_reader(on.settings)
    round_of = pages(on.settings, week)
    sim_args = [str(BIN / "lactamon-sim"), "--config", str(settings_file), "--scenario",
                str(scenario_file), "--speed", "1", "--report-min", "60"]  # fmt: skip
    with running(sim_args, tmp_path / "sim.log"):
        await asyncio.to_thread(prime, settings_file, tmp_path / "prime.log")
        off = copy_without_pages(on, tmp_path / "without")
        with running(on.args, on.log) as a, running(off.args, off.log) as b:
            for process, variant in ((a, on), (b, off)):
                await asyncio.to_thread(wait_for_line, process, variant.log, "lactamon running", 90)
            await asyncio.sleep(WARM_UP_S)
            pids = [a.pid, b.pid]
            idle = await sample(pids)
            mapped = [maps_jinja(pid) for pid in pids]
            client = WebClient(on.base)
            try:
                answer = await client.sign_in(USER, PASSWORD)
                assert answer.status == 200, client.page
                await view(client, round_of, len(round_of))
                rss = [idle, await sample(pids)]
                took = []
                for _ in range(ROUNDS):
                    took.append(await view(client, round_of, VIEWS))
                    rss.append(await sample(pids))
            finally:
                await client.close()
            hwm = status_value(a.pid, "VmHWM") * 1024 / MB
            load = os.getloadavg()
        for process, variant in ((a, on), (b, off)):
            assert process.returncode == 0, variant.log.read_text()

    costs = [w - wo for w, wo in rss]
    # What the views added, less what the daemon without the pages drifted by meanwhile.
    growth = [costs[i + 2] - costs[i + 1] for i in range(ROUNDS)]
    labels = [f"idle, {WARM_UP_S:g} s after the start", f"each of {len(round_of)} pages once"]
    labels += [f"+ {VIEWS:,} views ({views * VIEWS:,} in all, {t:.0f} s)"
               for views, t in enumerate(took, start=1)]  # fmt: skip
    table = [f"  {label:36} {w:6.1f} {wo:7.1f} {w - wo:+6.1f}"
             for label, (w, wo) in zip(labels, rss, strict=True)]  # fmt: skip
    settled = max(growth[1:])
    print(
        f"\nresident memory of `lactamon run` with and without the web pages (web.pages), two "
        f"daemons side by side on copies of a week of the demo lab ({week.readings:,} readings, "
        f"{len(week.cycles)} cycles), the lab at 1x; VmRSS, median of {SAMPLE_S} samples a "
        f"second apart, MB (goal: the pages add <= {GOAL_MB:g}):",
        f"  {'':36} {'with':>6} {'without':>7} {'added':>6}",
        *table,
        f"  the pages add at most {max(costs):+.1f}: "
        f"{'met' if max(costs) <= GOAL_MB else 'MISSED'}; growth over each {VIEWS:,} views "
        f"{', '.join(f'{g:+.1f}' for g in growth)} (goal after the first {VIEWS:,}: <= "
        f"{GROWTH_MB:g}, {'met' if settled <= GROWTH_MB else 'MISSED'}); peak (VmHWM) with the "
        f"pages {hwm:.1f}",
        f"  Jinja2 mapped: with the pages {mapped[0]}, without {mapped[1]}",
        f"  load average (1 min) {load[0]:.2f} at the end; {os.cpu_count()} CPUs",
        sep="\n",
    )
    assert mapped == [True, False]
    assert max(costs) <= GOAL_MB
    assert settled <= GROWTH_MB
