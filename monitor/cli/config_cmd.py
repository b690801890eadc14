"""``lactamon config check FILE``: validate a settings file and summarise what it sets up.

Beyond what the settings refuse when read, the check refuses what the probes' registers
cannot mean (``config.probe_checks``) and a secret file that group or others may read, which
``lactamon run`` would refuse when it starts, and warns about what deserves a second look.
A problem set by a ``LACTAMON_*`` variable names that variable, not the file.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from config import ConfigError, ConfigIssue, Settings, load_settings
from config.base import environment_variable
from config.probe_checks import probe_warnings, register_errors
from monitor.cli.errors import EXIT_OK, EXIT_USAGE
from monitor.cli.unit_addresses import address_warnings, drop_in

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def register(commands: Any) -> None:
    parser = commands.add_parser("config", help="check a settings file")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate FILE and print a summary or every error")
    check.add_argument("file", help="the TOML settings file")
    check.set_defaults(handler=run_check)
    addresses = actions.add_parser(
        "addresses", help="the systemd drop-in that lets the daemon reach hosts beyond the LAN"
    )
    addresses.add_argument("file", help="the TOML settings file")
    addresses.set_defaults(handler=run_addresses)


def run_check(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.file)
    except ConfigError as exc:
        report_issues(exc.source, exc.issues)
        return EXIT_USAGE
    issues = [ConfigIssue(e.path, e.message) for e in register_errors(settings)]
    issues += [ConfigIssue(s.path, s.message) for s in open_secrets(settings) if s.refused]
    if issues:
        report_issues(args.file, issues)
        return EXIT_USAGE
    print(summary(settings, today=date.today()))
    return EXIT_OK


def run_addresses(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.file)
    except ConfigError as exc:
        report_issues(exc.source, exc.issues)
        return EXIT_USAGE
    print(drop_in(settings), end="")
    return EXIT_OK


def report_issues(source: str, issues: Sequence[ConfigIssue]) -> None:
    """Every problem on stderr, each named by its TOML path or the variable that set it."""
    lines = []
    from_environment = 0
    for issue in issues:
        variable = environment_variable(_loc(issue.path)) if issue.path else None
        if variable is None:
            lines.append(f"  {issue}")
        else:
            from_environment += 1
            lines.append(f"  {variable} (environment variable): {issue.message}")
    origin = "the environment" if from_environment == len(issues) else source
    print(f"{origin}: invalid settings, {len(issues)} problem(s):", file=sys.stderr)
    print("\n".join(lines), file=sys.stderr)


def _loc(path: str) -> tuple[str | int, ...]:
    """``probes[2].source.bus`` → ``("probes", 2, "source", "bus")``."""
    return tuple(key if key else int(index) for key, index in _PATH_PART.findall(path))


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
        mqtt = settings.mqtt
        tls = " (TLS)" if mqtt.tls else ""
        lines.append(f"mqtt: {mqtt.host}:{mqtt.port}{tls}, client id {mqtt.client_id_base}, "
                     f"topics {mqtt.prefix}/…")  # fmt: skip
    channels = sorted(settings.notify.configured() | ({"mqtt"} if settings.mqtt else set()))
    n = settings.notify
    lines.append(f"notify: {', '.join(channels) or 'no channel'}; {len(n.people)} people, "
                 f"{len(n.lists)} lists, {len(n.on_call)} on-call shifts")  # fmt: skip
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
    out += [f"{s.path}: {s.message}" for s in open_secrets(settings) if not s.refused]
    out += probe_warnings(settings) + mqtt_identity_warnings(settings)
    return out + address_warnings(settings)


class OpenSecret(NamedTuple):
    """A secret file group or others may read; ``refused`` when ``lactamon run`` refuses it."""

    path: str
    message: str
    refused: bool


def open_secrets(settings: Settings) -> list[OpenSecret]:
    """Each secret file group or others may read, checked by its mode as ``run`` checks it."""
    out = []
    for path, file, read_by_run in _secret_files(settings):
        if file is None or os.name != "posix":
            continue
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except OSError:
            # A file not there yet (the key before 'lactamon keygen', the secrets of a
            # device being set up) is run's to report when it starts.
            continue
        if mode & 0o077:
            refuses = "lactamon run refuses it" if read_by_run else "a secret no longer"
            message = f"{file} is readable by group or others (mode {mode:04o}): {refuses}"
            message += f" (chmod 600 {file})"
            out.append(OpenSecret(path, message, read_by_run))
    return out


def _secret_files(settings: Settings) -> list[tuple[str, Path | None, bool]]:
    """The settings naming a secret file, each with whether ``lactamon run`` reads it: the
    device key always (``load_key_file``), the passwords and token as they are used
    (``read_secret``); TLS private keys are loaded without a look at their mode."""
    influx, mqtt = settings.influxdb, settings.mqtt
    files = [
        ("signing.key_file", settings.signing.key_file, True),
        ("influxdb.token_file", influx.token_file, influx.enabled and influx.api == "v2"),
        ("influxdb.password_file", influx.password_file, influx.enabled and influx.api == "v1"),
        ("web.tls_key_file", settings.web.tls_key_file, False),
    ]
    notify = settings.notify
    if notify.email is not None:
        files.append(("notify.email.password_file", notify.email.password_file, True))
    if notify.webhook is not None:
        files.append(("notify.webhook.secret_file", notify.webhook.secret_file, True))
    if mqtt is not None:
        files.append(("mqtt.password_file", mqtt.password_file, True))
        if mqtt.tls is not None:
            files.append(("mqtt.tls.key_file", mqtt.tls.key_file, False))
    return files


def mqtt_identity_warnings(settings: Settings) -> list[str]:
    """A client id or topic prefix set by hand that another unit could share too."""
    mqtt, device = settings.mqtt, settings.site.device
    if mqtt is None:
        return []
    out = []
    for name, value in (("client_id", mqtt.client_id), ("topic_prefix", mqtt.topic_prefix)):
        if value is not None and device not in value:
            out.append(
                f"mqtt.{name} {value!r} does not name this unit ({device!r}): another unit on "
                "the same broker given the same would knock this one off or overwrite its "
                "retained messages; leave it unset for the unit's own"
            )
    return out
