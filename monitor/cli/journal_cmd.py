"""``lactamon export | verify``: lot bundles and curves, and checking records.

``verify`` needs only the records and a trusted key: it reads the journal (read-only, fine
while the daemon writes), an InfluxDB query result, or an exported bundle, and prints OK or
every altered, missing, inserted or reordered record. A key that comes with the records (the
bundle's, the journal's, the settings' key file) is trusted only when its key id is pinned
(``--key-id``); ``--against`` compares the records with the heads the unit published.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from config import Settings, load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError
from monitor.clock import datetime_to_ns
from monitor.journal import (
    BundleError,
    JournalError,
    KeyFileError,
    PublicKeyError,
    VerificationReport,
    export_lot_bundle,
    key_id_of,
    load_key_file,
    parse_public_key,
    verify_bundle,
    verify_journal,
    verify_records,
)
from monitor.journal.trust import Trust, decide, read_trusted_keys
from monitor.journal.witness import PublishedHead

EXIT_UNTRUSTED = 3
VERIFY_EXIT_CODES = """\
exit codes:
  0  intact and signed by a trusted key (with --against: every published head is there)
  1  verification failed: records altered, missing, inserted or reordered, a signature
     that does not verify or comes from an untrusted key, a bundle header not signed,
     or a published head the records do not hold
  2  the command was wrong: options, settings, a key that cannot be read
  3  intact, but no trusted key was given: the signer is not established
     (give --public-key, --trusted-keys or --key-id)
"""


def register(commands: Any) -> None:
    export = commands.add_parser("export", help="export a lot's bundle, or its curves as CSV")
    export.add_argument("--lot", required=True)
    export.add_argument("--bundle", type=Path, help="bundle file to write")
    export.add_argument("--csv", type=Path, help="CSV file: every reading of the lot's cycles")
    export.add_argument("--journal", type=Path, help="journal file (default: journal.path)")
    export.add_argument("--key", type=Path, help="key that signs it (default: signing.key_file)")
    add_config_argument(export)
    export.set_defaults(handler=run_export)

    verify = commands.add_parser(
        "verify",
        help="verify signatures and chains",
        epilog=VERIFY_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = verify.add_mutually_exclusive_group()
    source.add_argument("--journal", type=Path, help="a journal file (default: journal.path)")
    source.add_argument("--bundle", type=Path, help="a bundle made by 'lactamon export'")
    source.add_argument("--influx", action="store_true", help="the records in InfluxDB")
    verify.add_argument("--lot", help="with --influx: the records of this lot")
    verify.add_argument("--stream", help="with --influx: one stream (e.g. a cycle)")
    verify.add_argument("--since", help="with --influx: ISO time, e.g. 2026-11-21T00:00Z")
    verify.add_argument("--until", help="with --influx: ISO time")
    verify.add_argument(
        "--public-key", help="a trusted public key: base64 or PEM text, or a file holding it"
    )
    verify.add_argument(
        "--trusted-keys",
        type=Path,
        metavar="FILE",
        help="trusted public keys, one base64 key per line ('#' starts a comment line)",
    )
    verify.add_argument(
        "--key-id",
        action="append",
        default=[],
        metavar="ID",
        help="trust the key that comes with the records (bundle header, journal, settings' "
        "key file) if its key id is ID, the id the device's owner published; repeatable",
    )
    verify.add_argument(
        "--against",
        action="append",
        default=[],
        choices=["influx", "mqtt"],
        help="also compare every stream head with the heads this unit published to InfluxDB "
        "or to the MQTT broker (needs the settings); repeatable",
    )
    add_config_argument(verify)
    verify.set_defaults(handler=run_verify)


def run_export(args: argparse.Namespace) -> int:
    if args.bundle is None and args.csv is None:
        raise CliError("say what to write: --bundle FILE, --csv FILE, or both", EXIT_USAGE)
    settings = settings_or_exit(load_settings, args.config)
    journal = args.journal or settings.journal.path
    if args.csv is not None:
        from monitor.reports.curve_csv import export_lot_curves

        try:
            rows = export_lot_curves(journal, args.lot, args.csv, settings.site.timezone)
        except (JournalError, OSError) as exc:
            raise CliError(str(exc)) from None
        print(f"exported the curves of lot {args.lot}: {rows} readings to {args.csv}")
    if args.bundle is None:
        return EXIT_OK
    try:
        key = load_key_file(args.key or settings.signing.key_file)
        done = export_lot_bundle(
            journal, args.lot, args.bundle, key=key, time_zone=settings.site.timezone
        )
    except (BundleError, JournalError, KeyFileError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(f"exported lot {done.lot}: {done.records} records of {len(done.streams)} streams")
    for stream in done.streams:
        print(f"  {stream}")
    print(f"bundle: {done.path} (header signed with key {key.key_id})")
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    if (args.lot or args.stream or args.since or args.until) and not args.influx:
        raise CliError("--lot, --stream, --since and --until go with --influx", EXIT_USAGE)
    if args.against and args.influx:
        raise CliError("--against goes with --journal or --bundle, not --influx", EXIT_USAGE)
    trust = trust_from(args)
    settings: Settings | None = None
    # A bundle, or a journal named on the command line, carries everything it needs: an
    # inspector checks a copy where no lactamon settings exist.
    if args.influx or args.against or (args.bundle is None and args.journal is None):
        settings = settings_or_exit(load_settings, args.config)
    try:
        published: list[PublishedHead] = []
        notes: list[str] = []
        if args.against:
            published, notes = asyncio.run(published_heads(settings, args.against))
        if args.bundle is not None:
            report = verify_bundle(args.bundle, trust, published=published)
        elif args.influx:
            assert settings is not None
            report = asyncio.run(verify_influx(settings, args, trust))
        else:
            journal = args.journal or settings_journal(settings)
            carried = settings_key(settings)
            report = verify_journal(journal, trust, carried=carried, published=published)
    except (BundleError, JournalError, KeyFileError, OSError) as exc:
        raise CliError(str(exc)) from None
    report.notes += notes
    print(report.format())
    if not report.ok:
        return EXIT_FAILURE
    return EXIT_OK if report.signer_established else EXIT_UNTRUSTED


def trust_from(args: argparse.Namespace) -> Trust:
    """The keys and key ids the options trust; a key that cannot be read is a usage error."""
    keys: list[Ed25519PublicKey] = []
    try:
        if args.public_key is not None:
            text = args.public_key
            path = Path(text)
            if len(text) < 4096 and path.is_file():
                text = path.read_text(encoding="utf-8").strip()
            keys.append(parse_public_key(text))
    except (PublicKeyError, OSError, UnicodeDecodeError) as exc:
        raise CliError(f"--public-key: {exc}", EXIT_USAGE) from None
    try:
        if args.trusted_keys is not None:
            keys += read_trusted_keys(args.trusted_keys)
    except PublicKeyError as exc:
        raise CliError(f"--trusted-keys: {exc}", EXIT_USAGE) from None
    return Trust(tuple(keys), frozenset(k.strip().lower() for k in args.key_id))


def settings_journal(settings: Settings | None) -> Path:
    assert settings is not None
    return settings.journal.path


def settings_key(settings: Settings | None) -> list[Ed25519PublicKey]:
    """The public half of the settings' key file, if it can be read: a key that comes with
    the journal, trusted only when its key id is pinned."""
    if settings is None:
        return []
    try:
        return [load_key_file(settings.signing.key_file).public]
    except KeyFileError:
        return []


async def published_heads(
    settings: Settings | None, witnesses: list[str]
) -> tuple[list[PublishedHead], list[str]]:
    from monitor.journal.witness_sources import WitnessError
    from monitor.journal.witness_sources import published_heads as read_witnesses

    assert settings is not None
    try:
        return await read_witnesses(settings, witnesses)
    except WitnessError as exc:
        raise CliError(str(exc)) from None


async def verify_influx(
    settings: Settings, args: argparse.Namespace, trust: Trust
) -> VerificationReport:
    from monitor.influx.errors import InfluxError
    from monitor.influx.factory import create_reader

    if not settings.influxdb.enabled:
        raise CliError("InfluxDB is not enabled in the settings ([influxdb] enabled = true)")
    carried = {key_id_of(k): k for k in settings_key(settings)}
    if not trust.given and not carried:
        raise CliError(
            f"no trusted key given, and the settings' key file {settings.signing.key_file} "
            "cannot be read: give --public-key, --trusted-keys or --key-id"
        )
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
    decision = decide(trust, carried, "the public half of the settings' key file")
    keys = decision.keys.values()
    report = verify_records(entries, keys, ordered=False, source=f"InfluxDB {where}")
    decision.apply(report)
    return report


def iso_ns(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return datetime_to_ns(when)
    except ValueError as exc:
        raise CliError(f"not an ISO time with a zone: {value!r} ({exc})", EXIT_USAGE) from None
