"""``lactamon dossier``: a lot's dossier as a PDF, from the journal or from a bundle alone.

``--lot L`` exports the lot's bundle from the journal (to a temporary file, or to
``--keep-bundle FILE``) and renders that; ``--bundle B`` renders a bundle on any machine, with
no settings. Either way the PDF is made from the bundle's records and their verification
only, so the two give the same document. The bundle's header does not carry the site's time
zone: ``--lot`` takes the settings' ``site.timezone``, ``--bundle`` takes ``--timezone``
(Europe/Paris by default), and the page names it.

Exit codes as ``lactamon verify``: 0 the dossier is written and the records verify with a
trusted key; 1 it is written and says FAILED; 2 the command was wrong; 3 it is written, the
records are intact but no trusted key was given.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError
from monitor.cli.journal_cmd import EXIT_UNTRUSTED, trust_from
from monitor.journal import BundleError, JournalError, KeyFileError, load_key_file
from monitor.journal.trust import Trust
from monitor.reports.times import DEFAULT_ZONE, ZoneError, zone_info

if TYPE_CHECKING:
    from monitor.reports.bundle_view import BundleView
    from monitor.reports.lot_report import LotReport


def register(commands: Any) -> None:
    dossier = commands.add_parser(
        "dossier",
        help="a lot's dossier as a PDF, from the journal or from a bundle",
        description=__doc__.split("\n\n")[1],
    )
    source = dossier.add_mutually_exclusive_group(required=True)
    source.add_argument("--lot", help="the lot, exported from the journal")
    source.add_argument("--bundle", type=Path, help="a bundle made by 'lactamon export'")
    dossier.add_argument("--pdf", type=Path, required=True, help="the PDF file to write")
    dossier.add_argument(
        "--timezone",
        help="the site's time zone for the dates (default: site.timezone with --lot, "
        "Europe/Paris with --bundle)",
    )
    dossier.add_argument("--journal", type=Path, help="with --lot: journal file (journal.path)")
    dossier.add_argument(
        "--key", type=Path, help="with --lot: key that signs the bundle (signing.key_file)"
    )
    dossier.add_argument(
        "--keep-bundle",
        type=Path,
        metavar="FILE",
        help="with --lot: keep the bundle the dossier is made from (the SHA-256 it prints)",
    )
    dossier.add_argument("--public-key", help="a trusted public key: base64, PEM, or a file")
    dossier.add_argument("--trusted-keys", type=Path, metavar="FILE", help="trusted keys file")
    dossier.add_argument(
        "--key-id",
        action="append",
        default=[],
        metavar="ID",
        help="trust the key that comes with the records if its key id is ID; repeatable",
    )
    add_config_argument(dossier)
    dossier.set_defaults(handler=run_dossier)


def run_dossier(args: argparse.Namespace) -> int:
    if args.bundle is not None and (args.journal or args.key or args.keep_bundle):
        raise CliError("--journal, --key and --keep-bundle go with --lot", EXIT_USAGE)
    trust = trust_from(args)
    if args.bundle is not None:
        report = render(args.bundle, args.pdf, trust, _zone(args.timezone or DEFAULT_ZONE))
    else:
        report = _from_journal(args, trust)
    print(f"dossier of lot {report.lot}: {args.pdf}")
    print(f"  made from the bundle with SHA-256 {report.sha256}")
    print(f"  verification: {report.verdict}")
    if not report.verification.ok:
        return EXIT_FAILURE
    return EXIT_OK if report.verification.signer_established else EXIT_UNTRUSTED


def _zone(name: str) -> str:
    try:
        zone_info(name)
    except ZoneError as exc:
        raise CliError(f"--timezone: {exc}", EXIT_USAGE) from None
    return name


def _from_journal(args: argparse.Namespace, trust: Trust) -> LotReport:
    settings = settings_or_exit(load_settings, args.config)
    journal = args.journal or settings.journal.path
    zone = _zone(args.timezone or settings.site.timezone)
    try:
        key = load_key_file(args.key or settings.signing.key_file)
    except KeyFileError as exc:
        raise CliError(str(exc)) from None
    from monitor.journal import export_lot_bundle
    from monitor.reports.bundle_view import written_bundle

    with tempfile.TemporaryDirectory(prefix="lactamon-dossier-") as folder:
        bundle = args.keep_bundle or Path(folder) / f"{args.lot}.jsonl"
        try:
            export = export_lot_bundle(
                journal, args.lot, bundle, key=key, time_zone=zone, keep=True
            )
            # The records just written, not read back: the same view, in half the time.
            view = written_bundle(bundle, export.header, export.kept)
        except (BundleError, JournalError, OSError) as exc:
            raise CliError(str(exc)) from None
        return render_view(view, args.pdf, trust, zone)


def render(bundle: Path, pdf: Path, trust: Trust, zone: str) -> LotReport:
    """Verify ``bundle`` and write its dossier to ``pdf``; the ``LotReport`` it shows."""
    from monitor.reports.bundle_view import load_bundle

    try:
        view = load_bundle(bundle)
    except BundleError as exc:
        raise CliError(str(exc)) from None
    return render_view(view, pdf, trust, zone)


def render_view(view: BundleView, pdf: Path, trust: Trust, zone: str) -> LotReport:
    """Verify the bundle's records and write its dossier to ``pdf``."""
    # reportlab is loaded here, by this command only: no other command (the daemon above
    # all) carries it in memory.
    from reportlab.platypus.doctemplate import LayoutError

    from monitor.journal.api import verify_bundle_entries
    from monitor.reports.dossier_pdf import write_dossier
    from monitor.reports.lot_report import build_report

    try:
        verification = verify_bundle_entries(view.header, view.entries, trust, source="the bundle")
    except BundleError as exc:
        raise CliError(str(exc)) from None
    report = build_report(view, verification, zone)
    partial = pdf.with_name(pdf.name + ".partial")
    try:
        write_dossier(report, partial)
        os.replace(partial, pdf)
    except OSError as exc:
        raise CliError(f"{pdf}: cannot write the PDF ({exc.strerror or exc})") from None
    except LayoutError as exc:
        raise CliError(f"{pdf}: the dossier cannot be laid out ({exc})") from None
    finally:
        partial.unlink(missing_ok=True)
    return report
