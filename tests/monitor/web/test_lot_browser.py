"""A lot's page in a real browser (Chromium through Playwright) against a real daemon: a
supervisor opens a controlled lot stored in F1 that lived through an excursion, reads the
release form with its meaning next to the password, and releases it; then the page of the
lot's cycle, with its curve drawn. ``LACTAMON_SCREENSHOTS=docs/images`` keeps the
screenshots there (lot.png, cycle.png)."""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp

from monitor.clock import NS_PER_S
from monitor.evaluation import LotBacteriology
from monitor.evaluation.cold_chain_events import ExcursionAlarmed, ExcursionEnded, ExcursionStarted
from monitor.journal import JournalReader, LotBook, Record, enclosure_day_stream
from monitor.journal.readings import READING
from monitor.journal.signing import JOURNAL_KINDS
from monitor.service.daemon import Daemon
from monitor.signature import Signature
from monitor.users import Role
from monitor.web.curve_json import POINTS
from tests.fixtures.browser import expect, sign_in
from tests.monitor.service.pipeline_lab import T0, PipelineLab
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.web.test_lot_pages import READY, create_lot, lot_kinds

if TYPE_CHECKING:
    from playwright.async_api import Browser, Position

PEOPLE = {"sophie": Role.SUPERVISOR, "anne": Role.TECHNICIAN}
TODAY = date(2026, 11, 20)  # the daemon's clock, in Paris
EVERY_S = 5  # between two readings of a probe of P1 in the cycle, as in the demo
# The copy of a cycle's records goes into the journal at once: a signature every 1000 of
# them would be stamped now, in the middle of a cycle that ended before.
QUIET_JOURNAL: dict[str, object] = {"checkpoint_every_records": 100_000}


async def api(daemon: Daemon, path: str, body: dict[str, object]) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{daemon.api_url}{path}", json=body) as answer,
    ):
        assert answer.status == 200, await answer.text()


def excursion_in_f1(daemon: Daemon) -> None:
    """Twelve minutes above the band in F1, alarmed, as the enclosure's evaluator says it."""
    assert daemon.pipeline is not None
    start = daemon.clock.now_ns()
    minute = 60 * NS_PER_S
    events = [
        ExcursionStarted(start, "F1", "high", "F1-air", 8.3, 2.0, 8.0),
        ExcursionAlarmed(start + 10 * minute, "F1", start, "high", 9.1, False,
                         "out of the band", 600.0, 0.0),
        ExcursionEnded(start + 12 * minute, "F1", start, 720.0, 9.4, True, 700.0, 20.0),
    ]  # fmt: skip
    stream = enclosure_day_stream("F1", TODAY)
    for event in events:
        daemon.pipeline.journal.append_event(stream, event.kind, event.fields(), ts=event.ts)


def probes_at(minute: float, cooling_from: float) -> dict[str, float]:
    """P1's probes in a holder63 cycle: the bath leads the come-up, the reference bottle
    crosses 63 °C after half an hour and holds just above it, then all cool in the fridge."""
    if minute < cooling_from:
        bath = 64.5 - 43.5 * math.exp(-minute / 4)
        ref = 63.6 - 59.1 * math.exp(-minute / 6.5)
        b1 = 63.4 - 58.9 * math.exp(-minute / 6.8)
    else:
        since = minute - cooling_from
        bath = 3.5 + 61.0 * math.exp(-since / 3)
        ref = 3.8 + 59.8 * math.exp(-since / 8)
        b1 = 3.8 + 59.6 * math.exp(-since / 8.5)
    return {"P1-bath": round(bath, 2), "P1-ref": round(ref, 2), "P1-b1": round(b1, 2)}


def judged_cycle(bench: Path, lot: str, start: int) -> tuple[str, list[Record]]:
    """A holder63 cycle of P1 from ``start``, judged by a pipeline of its own
    (``PipelineLab``) as the daemon's would judge it: its stream and records, seal left out."""
    lab = PipelineLab(bench)
    lab.restart(crash=False, downtime_s=(start - T0) / NS_PER_S)
    lab.clock.now = start  # to the nanosecond: the seconds of downtime were a float
    bacteriology = [LotBacteriology(lot, 5e3, 10)]
    cycle = lab.pipeline.start_cycle("P1", bacteriology, "holder63", start).stream
    for second in range(0, 100 * 60, EVERY_S):
        for probe, value in probes_at(second / 60, cooling_from=64).items():
            lab.read(probe, value)
        if cycle not in {c.stream for c in lab.pipeline.cycles.values()}:
            break
        for _ in range(EVERY_S):
            lab.clock.now += NS_PER_S
            lab.pipeline.tick(lab.clock.now)
    lab.journal.flush()
    with JournalReader(lab.path) as reader:
        records = [r for r in reader.stream_records(cycle) if r.kind not in JOURNAL_KINDS]
    lab.close()
    assert records[-1].kind == "cycle_passed", [r.kind for r in records[-3:]]
    return cycle, records


def curved_cycle(daemon: Daemon, lot: str, bench: Path) -> str:
    """A passing cycle with its readings, closed just before now, in the daemon's journal:
    judged once to learn how long it lasts, then again to end now, its records copied and
    sealed there (its journal signs its own copy), and ``lot`` linked to it."""
    assert daemon.pipeline is not None
    _, trial = judged_cycle(bench / "trial", lot, T0)
    lasts = trial[-1].ts - trial[0].ts
    cycle, records = judged_cycle(bench / "cycle", lot, daemon.clock.now_ns() - lasts)
    journal = daemon.pipeline.journal
    for record in records:
        journal.append_event(cycle, record.kind, record.fields, ts=record.ts)
    journal.seal(cycle, "cycle pass")
    now = daemon.clock.now_ns()
    LotBook(journal).link_cycle(lot, cycle, Signature("anne", "Anne", "linked"), now)
    return cycle


def readings_of(daemon: Daemon, cycle: str, probe: str) -> tuple[list[tuple[float, float]], float]:
    """(seconds from the cycle's start, °C) of ``probe``'s readings in ``cycle``, and the
    seconds from its start to its last record (its seal, or a later signature)."""
    assert daemon.pipeline is not None
    daemon.pipeline.journal.flush()
    with JournalReader(daemon.pipeline.journal.path) as reader:
        records = list(reader.stream_records(cycle))
    start = records[0].ts
    found = [((r.ts - start) / NS_PER_S, float(r.fields["value"]))
             for r in records if r.kind == READING and r.fields["probe"] == probe]  # fmt: skip
    return found, (records[-1].ts - start) / NS_PER_S


async def test_a_supervisor_reads_the_release_form_and_releases(
    tmp_path: Path, browser: Browser
) -> None:
    shots = Path(os.environ.get("LACTAMON_SCREENSHOTS", tmp_path))
    async with quiet_daemon(tmp_path, PEOPLE, journal=QUIET_JOURNAL) as daemon:
        await create_lot(daemon, READY)
        cycle = curved_cycle(daemon, READY, tmp_path / "bench")
        anne = {"user": "anne", "password": PW}
        control = {"stage": "after", "total_flora_cfu_ml": 0, "s_aureus_cfu_ml": 0,
                   "lab_reference": "LAB-18"}  # fmt: skip
        await api(daemon, f"/api/lots/{READY}/bacteriology", {**anne, **control})
        await api(daemon, f"/api/lots/{READY}/store", {**anne, "enclosure": "F1"})
        excursion_in_f1(daemon)
        base = daemon.api_url
        context = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await sign_in(page, base, "sophie", PW)
        await page.click("nav >> text=Lots")
        await page.click(f"text={READY}")
        await expect(page.locator("h1")).to_contain_text(READY)
        release = page.locator("#release-form")
        await expect(release.locator(".meaning")).to_contain_text("I release this lot")
        await expect(release.locator("input[type=password]")).to_be_visible()
        await expect(page.locator(".where")).to_contain_text("F1")
        await expect(page.locator("#decide-form")).to_be_visible()
        await page.fill("#release-form input[name=comment]", "control LAB-18 negative")
        await page.screenshot(path=str(shots / "lot.png"), full_page=True)

        await page.fill("#release-form input[name=password]", PW)
        await page.click("#release-form button[type=submit]")
        await expect(page.locator(".flash.ok")).to_contain_text("Lot released")
        await expect(page.locator("h1 .lstate")).to_have_text("released")

        await page.click(f'a[href="/cycles/{cycle}"]')
        await expect(page.locator("h1")).to_have_text(cycle)
        await expect(page.locator(".verdict")).to_contain_text("PASS")
        await expect(page.locator("#curve canvas")).to_be_visible()
        await expect(page.locator("#curve .u-legend")).to_contain_text("P1-ref")
        answer = await page.request.get(f"{base}/cycles/{cycle}/curve.json")
        assert answer.status == 200
        data = await answer.json()
        # The cursor in the hold, on the curves (0..70 °C high): the legend reads each
        # probe there, as a user pointing at the chart sees it.
        chart = page.locator("#curve .u-over")
        box = await chart.bounding_box()
        assert box is not None
        at: Position = {"x": box["width"] * 0.5, "y": box["height"] * (1 - 63.5 / 70)}
        await chart.hover(position=at)
        await page.screenshot(path=str(shots / "cycle.png"), full_page=True)
        assert lot_kinds(daemon, READY)[-1] == "lot_released"
        ref, end_s = readings_of(daemon, cycle, "P1-ref")
        step = max(1, math.ceil(end_s / POINTS))
        assert len(data["x"]) == int(end_s // step) + 2
        assert [s["probe"] for s in data["series"]] == ["P1-ref", "P1-b1", "P1-bath"]
        column = data["series"][0]["values"]
        assert None not in column  # read every 5 s: no gap anywhere in the cycle
        # A grid point on a reading's instant, with no other reading in its step, is it.
        on_grid = [(t, v) for t, v in ref if t % step == 0]
        assert on_grid
        assert all(column[int(t // step)] == v for t, v in on_grid)
        assert data["setpoint_c"] == 63.0
        assert [done for _, _, done in data["holds"]] == [True]
