"""``lactamon probes``: read every probe once through the drivers, for commissioning a lab.

It listens for ``--seconds`` (by default three sample periods of the slowest probe, at
most a minute) and prints each probe's last value, quality and availability; it exits 1
when a probe gave nothing usable, so an installer sees at once which cable to check.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from config import Settings, load_settings
from drivers.factory import build_drivers
from drivers.sink import CollectingSink
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_FAILURE, EXIT_OK, CliError
from monitor.clock import SystemClock


def register(commands: Any) -> None:
    parser = commands.add_parser("probes", help="read every probe once through its driver")
    parser.add_argument("--seconds", type=float, help="how long to listen (default: 3 periods)")
    add_config_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_or_exit(load_settings, args.config)
    if not settings.probes:
        raise CliError("the settings name no probe")
    seconds = args.seconds
    if seconds is None:
        seconds = min(60.0, 3 * max(p.sample_period_s for p in settings.probes))
    if not 0 < seconds <= 3600:
        raise CliError(f"--seconds must be between 0 and 3600, got {seconds:g}")
    sink = asyncio.run(listen(settings, seconds))
    lines, missing = table(settings, sink)
    print("\n".join(lines))
    return EXIT_FAILURE if missing else EXIT_OK


async def listen(settings: Settings, seconds: float) -> CollectingSink:
    sink = CollectingSink()
    tasks = [
        asyncio.create_task(d.run(), name=d.name)
        for d in build_drivers(settings, SystemClock(), sink)
    ]
    try:
        await asyncio.sleep(seconds)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return sink


def table(settings: Settings, sink: CollectingSink) -> tuple[list[str], list[str]]:
    lines = [f"{'probe':14} {'value':>9}  {'quality':12} {'readings':>8}  note"]
    missing = []
    for probe in settings.probes:
        readings = sink.for_probe(probe.id)
        changes = [c for c in sink.changes if c.probe_id == probe.id and not c.available]
        note = changes[-1].reason if changes else ""
        if not readings:
            missing.append(probe.id)
            lines.append(f"{probe.id:14} {'—':>9}  {'none':12} {0:>8}  {note or 'no data'}")
            continue
        last = readings[-1]
        if not last.usable:
            missing.append(probe.id)
        note = last.detail or note
        lines.append(
            f"{probe.id:14} {last.value:>9.2f}  {last.quality.value:12} {len(readings):>8}  {note}"
        )
    return lines, missing
