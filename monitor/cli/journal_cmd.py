"""``lactamon keygen | export | verify``: the device key, lot bundles, and checking records.

``verify`` needs only the records and the public key: it reads the journal (read-only, fine
while the daemon writes), an InfluxDB query result, or an exported bundle, and prints OK or
every altered, missing, inserted or reordered record; it exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from config import Settings, load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError
from monitor.clock import datetime_to_ns
from monitor.journal import (
    BundleError,
    JournalError,
    KeyFileError,
    PublicKeyError,
    Report,
    export_lot_bundle,
    keygen,
    load_key_file,
    parse_public_key,
    verify_bundle,
    verify_journal,
    verify_records,
)


def register(commands: Any) -> None:
    gen = commands.add_parser("keygen", help="create the device's Ed25519 signing key")
    gen.add_argument("--key", type=Path, help="key file to create (default: signing.key_file)")
    add_config_argument(gen)
    gen.set_defaults(handler=run_keygen)

    export = commands.add_parser("export", help="export a lot's records as a bundle")
    export.add_argument("--lot", required=True)
    export.add_argument("--bundle", type=Path, required=True, help="file to write")
    export.add_argument("--journal", type=Path, help="journal file (default: journal.path)")
    add_config_argument(export)
    export.set_defaults(handler=run_export)

    verify = commands.add_parser("verify", help="verify signatures and chains")
    source = verify.add_mutually_exclusive_group()
    source.add_argument("--journal", type=Path, help="a journal file (default: journal.path)")
    source.add_argument("--bundle", type=Path, help="a bundle made by 'lactamon export'")
    source.add_argument("--influx", action="store_true", help="the records in InfluxDB")
    verify.add_argument("--lot", help="with --influx: the records of this lot")
    verify.add_argument("--stream", help="with --influx: one stream (e.g. a cycle)")
    verify.add_argument("--since", help="with --influx: ISO time, e.g. 2026-11-21T00:00Z")
    verify.add_argument("--until", help="with --influx: ISO time")
    verify.add_argument(
        "--public-key",
        help="base64 or PEM text, or a file holding it (default: the device key's own)",
    )
    add_config_argument(verify)
    verify.set_defaults(handler=run_verify)


def run_keygen(args: argparse.Namespace) -> int:
    path = args.key
    if path is None:
        path = settings_or_exit(load_settings, args.config).signing.key_file
    try:
        public, key_id = keygen(path)
    except (KeyFileError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(f"key file:    {path}")
    print(f"public key:  {public}")
    print(f"key id:      {key_id}")
    print("Publish the public key and key id: inspectors verify records with them.")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    settings = settings_or_exit(load_settings, args.config)
    journal = args.journal or settings.journal.path
    try:
        done = export_lot_bundle(journal, args.lot, args.bundle, time_zone=settings.site.timezone)
    except (BundleError, JournalError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(f"exported lot {done.lot}: {done.records} records of {len(done.streams)} streams")
    for stream in done.streams:
        print(f"  {stream}")
    print(f"bundle: {done.path}")
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    if (args.lot or args.stream or args.since or args.until) and not args.influx:
        raise CliError("--lot, --stream, --since and --until go with --influx", EXIT_USAGE)
    settings: Settings | None = None
    if args.bundle is None:  # a bundle carries everything it needs
        settings = settings_or_exit(load_settings, args.config)
    try:
        if args.bundle is not None:
            key = public_key(args.public_key, None) if args.public_key else None
            report = verify_bundle(args.bundle, key)
        elif args.influx:
            assert settings is not None
            report = asyncio.run(verify_influx(settings, args))
        else:
            assert settings is not None
            report = verify_journal(
                args.journal or settings.journal.path, public_key(args.public_key, settings)
            )
    except (BundleError, JournalError, KeyFileError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(report.format())
    return EXIT_OK if report.ok else EXIT_FAILURE


def public_key(value: str | None, settings: Settings | None) -> Any:
    """The key to verify with: given text or file, else the public half of the device key."""
    if value is None:
        assert settings is not None
        try:
            return load_key_file(settings.signing.key_file).public
        except KeyFileError as exc:
            raise CliError(f"no --public-key given and {exc}") from None
    text = value
    path = Path(value)
    if len(value) < 4096 and path.is_file():
        text = path.read_text(encoding="utf-8").strip()
    try:
        return parse_public_key(text)
    except PublicKeyError as exc:
        raise CliError(f"--public-key: {exc}", EXIT_USAGE) from None


async def verify_influx(settings: Settings, args: argparse.Namespace) -> Report:
    from monitor.influx.errors import InfluxError
    from monitor.influx.factory import create_reader

    if not settings.influxdb.enabled:
        raise CliError("InfluxDB is not enabled in the settings ([influxdb] enabled = true)")
    key = public_key(args.public_key, settings)
    reader = create_reader(settings.influxdb, site=settings.site.id, device=settings.site.device)
    try:
        if args.lot:
            entries = await reader.lot_records(args.lot)
        elif args.stream:
            entries = await reader.stream_records(args.stream)
        elif args.since or args.until:
            start, end = iso_ns(args.since, 0), iso_ns(args.until, 2**63 - 1)
            entries = await reader.records_between(start, end)
        else:
            raise CliError("with --influx, say which records: --lot, --stream or --since/--until")
    except InfluxError as exc:
        raise CliError(str(exc)) from None
    finally:
        await reader.close()
    where = args.lot or args.stream or f"{args.since}..{args.until}"
    return verify_records(entries, key, ordered=False, source=f"InfluxDB {where}")


def iso_ns(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return datetime_to_ns(when)
    except ValueError as exc:
        raise CliError(f"not an ISO time with a zone: {value!r} ({exc})", EXIT_USAGE) from None
