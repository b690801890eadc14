"""A cycle's curve in a real browser: the page draws its chart (uPlot, on a canvas) from
``curve.json``, and what the chart holds is what the journal recorded.

The cycle is short (heated for 12 minutes, then aborted), so the chart's grid is one point a
second and each reading, one every 5 s, is a point of its own: the chart must hold every
reading of every probe at its instant with its value, on a grid as long as the cycle, and
draw each probe's line in its colour.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.clock import NS_PER_S
from monitor.evaluation import LotBacteriology
from monitor.journal import JournalReader
from monitor.journal.signing import JOURNAL_KINDS
from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.fixtures.browser import expect, sign_in
from tests.monitor.service.pipeline_lab import T0, PipelineLab
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.web.test_lot_browser import QUIET_JOURNAL, probes_at, readings_of

if TYPE_CHECKING:
    from playwright.async_api import Browser

PROBES = ("P1-ref", "P1-b1", "P1-bath")  # the judged probe first, as the page orders them
EVERY_S = 5
HEATED_S = 12 * 60
# curve.js's colours, one per probe in order; the chart's lines are drawn in them.
STROKES = ((0xC0, 0x39, 0x2B), (0x24, 0x71, 0xA3), (0x7D, 0x3C, 0x98))
# uPlot keeps no handle on its charts: each one made is kept where the test can read it.
KEEP_CHARTS = """
(() => {
  let wrapped;
  window.charts = [];
  Object.defineProperty(window, "uPlot", {
    configurable: true,
    get() { return wrapped; },
    set(real) {
      wrapped = function (...args) {
        const chart = new real(...args);
        window.charts.push(chart);
        return chart;
      };
      Object.assign(wrapped, real);
    },
  });
})();
"""
CHART = """
() => window.charts.map((u) => ({
  labels: u.series.map((s) => s.label),
  columns: u.data.map((column) => Array.from(column)),
}))
"""
# Pixels of the canvas in each stroke's colour (give or take the antialiasing).
INKED = """
(canvas, strokes) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  return strokes.map(([r, g, b]) => {
    let found = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const near = Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g)
                   + Math.abs(pixels[i + 2] - b);
      if (near < 30 && pixels[i + 3] > 200) found += 1;
    }
    return found;
  });
}
"""


def aborted_cycle(daemon: Daemon, bench: Path) -> str:
    """A holder63 cycle of P1 heated for ``HEATED_S`` and aborted just before now, judged by a
    pipeline of its own; its records copied into the daemon's journal and sealed there."""
    assert daemon.pipeline is not None
    start = daemon.clock.now_ns() - (HEATED_S + 60) * NS_PER_S
    lab = PipelineLab(bench)
    lab.restart(crash=False, downtime_s=(start - T0) / NS_PER_S)
    lab.clock.now = start
    lot = [LotBacteriology("L2026-009", 5e3, 10)]
    cycle = lab.pipeline.start_cycle("P1", lot, "holder63", start).stream
    for second in range(0, HEATED_S, EVERY_S):
        for probe, value in probes_at(second / 60, cooling_from=HEATED_S).items():
            lab.read(probe, value)
        for _ in range(EVERY_S):
            lab.clock.now += NS_PER_S
            lab.pipeline.tick(lab.clock.now)
    lab.pipeline.abort_cycle("P1", "anne", "bath pump stopped", lab.clock.now)
    lab.journal.flush()
    with JournalReader(lab.path) as reader:
        records = [r for r in reader.stream_records(cycle) if r.kind not in JOURNAL_KINDS]
    lab.close()
    journal = daemon.pipeline.journal
    for record in records:
        journal.append_event(cycle, record.kind, record.fields, ts=record.ts)
    journal.seal(cycle, "cycle aborted")
    return cycle


async def test_the_chart_holds_every_reading_of_the_cycle(tmp_path: Path, browser: Browser) -> None:
    async with quiet_daemon(tmp_path, {"ines": Role.INSPECTOR}, journal=QUIET_JOURNAL) as daemon:
        cycle = aborted_cycle(daemon, tmp_path / "bench")
        context = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        await context.add_init_script(KEEP_CHARTS)
        page = await context.new_page()
        await sign_in(page, daemon.api_url, "ines", PW)
        await page.goto(f"{daemon.api_url}/cycles/{cycle}")
        await expect(page.locator(".verdict")).to_contain_text("ABORTED")
        canvas = page.locator("#curve canvas")
        await expect(canvas).to_be_visible()
        await expect(page.locator("#curve .u-legend")).to_contain_text("P1-bath")
        charts: list[dict[str, Any]] = await page.evaluate(CHART)
        inked: list[int] = await canvas.evaluate(INKED, STROKES)
        recorded = {probe: readings_of(daemon, cycle, probe) for probe in PROBES}

    assert len(charts) == 1
    labels, columns = charts[0]["labels"], charts[0]["columns"]
    assert labels == ["time (min)", "P1-ref *", "P1-b1", "P1-bath", "setpoint"]
    grid = [round(minutes * 60) for minutes in columns[0]]
    _, end_s = recorded["P1-ref"]
    assert grid == list(range(int(end_s) + 2))  # one point a second, the whole cycle
    for probe, column in zip(PROBES, columns[1:], strict=False):
        readings, _ = recorded[probe]
        assert len(readings) == HEATED_S // EVERY_S
        assert len(column) == len(grid)
        assert [(t, column[int(t)]) for t, _ in readings] == readings, probe
    assert set(columns[4]) == {63.0}  # the setpoint, all along
    assert all(count > 50 for count in inked), inked  # each probe's line is on the canvas
