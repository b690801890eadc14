"""``lactamon config check FILE``: validate a settings file and summarise what it sets up."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from typing import Any

from config import ConfigError, Settings, load_settings
from monitor.cli.errors import EXIT_OK, EXIT_USAGE


def register(commands: Any) -> None:
    parser = commands.add_parser("config", help="check a settings file")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate FILE and print a summary or every error")
    check.add_argument("file", help="the TOML settings file")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.file)
    except ConfigError as exc:
        print(f"{exc.source}: invalid settings, {len(exc.issues)} problem(s):", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(settings, today=date.today()))
    return EXIT_OK


def summary(settings: Settings, today: date) -> str:
    """A short human summary of a valid settings file, with warnings worth a look."""
    by_driver = Counter(p.source.kind for p in settings.probes)
    drivers = ", ".join(f"{n} {kind}" for kind, n in sorted(by_driver.items())) or "none"
    lines = [
        f"site {settings.site.id} ({settings.site.name}), time zone {settings.site.timezone}",
        f"probes: {len(settings.probes)} ({drivers})",
    ]
    for p in settings.pasteurisers:
        roles = ", ".join(f"{m.probe} ({m.role})" for m in p.probes)
        lines.append(f"pasteuriser {p.id}: {roles}")
    for e in settings.enclosures:
        band = f"≤ {e.band.high:g}" if e.band.low is None else f"{e.band.low:g}..{e.band.high:g}"
        lines.append(
            f"{e.kind} {e.id}: band {band} °C, alarm after {e.delay_min:g} min, "
            f"probes {', '.join(e.probes)}"
        )
    programs = ", ".join(
        f"{name} (≥ {p.setpoint_c:g} °C for {p.hold_min:g} min, "
        f"flora ≤ {p.max_total_flora_cfu_ml:g})"
        for name, p in settings.programs.items()
    )
    lines.append(f"programs: {programs}")
    lines.append(f"journal: {settings.journal.path}")
    influx = settings.influxdb
    lines.append(f"influxdb: {influx.api} {influx.url}" if influx.enabled else "influxdb: off")
    if settings.mqtt is not None:
        tls = " (TLS)" if settings.mqtt.tls else ""
        lines.append(f"mqtt: {settings.mqtt.host}:{settings.mqtt.port}{tls}")
    lines += [f"warning: {w}" for w in warnings(settings, today)]
    return "\n".join(lines)


def warnings(settings: Settings, today: date) -> list[str]:
    out = []
    for p in settings.pasteurisers:
        if not p.reference_probes:
            out.append(f"pasteuriser {p.id} has no reference probe: holds judged on the bath")
    for probe in settings.probes:
        if probe.calibration_due is None:
            out.append(f"probe {probe.id} has no calibration due date")
        elif probe.calibration_due < today:
            out.append(f"probe {probe.id} calibration overdue since {probe.calibration_due}")
    return out
