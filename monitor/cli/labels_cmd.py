"""``lactamon labels --lot L --pdf F``: a sheet of bottle labels for a pasteurised lot.

Read from the journal (read-only, fine while the daemon runs): the pasteurisation date is
the local day of the last passed cycle linked to the lot, in the site's time zone; the
use-by date is six months later unless ``--use-by`` gives it; the QR code names the lot
stream's head and the device key (``reports.labels_pdf``). A lot with no passed cycle, or
destroyed, gets no label.
"""

from __future__ import annotations

import argparse
import calendar
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import Settings, load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from monitor.journal import JournalError, JournalReader, KeyFileError, fold_lot, load_key_file
from monitor.journal.signing import SIGNED_KINDS
from monitor.journal.streams import lot_stream
from monitor.reports.cycle_summary import summarise_cycle
from monitor.reports.times import Times

if TYPE_CHECKING:
    from monitor.reports.labels_pdf import LabelFacts

SHEET = 24
MAX_LABELS = 2400
USE_BY_MONTHS = 6


def register(commands: Any) -> None:
    labels = commands.add_parser("labels", help="a printable sheet of bottle labels for a lot")
    labels.add_argument("--lot", required=True)
    labels.add_argument("--pdf", type=Path, required=True, help="the PDF file to write")
    labels.add_argument("--count", type=int, default=SHEET, help=f"labels (default {SHEET})")
    labels.add_argument(
        "--use-by",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help=f"use-by date (default: the pasteurisation date + {USE_BY_MONTHS} months)",
    )
    labels.add_argument("--journal", type=Path, help="journal file (default: journal.path)")
    add_config_argument(labels)
    labels.set_defaults(handler=run_labels)


def run_labels(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= MAX_LABELS:
        raise CliError(f"--count {args.count}: 1 to {MAX_LABELS} labels", EXIT_USAGE)
    settings = settings_or_exit(load_settings, args.config)
    from monitor.reports.labels_pdf import write_labels

    facts = label_facts(settings, args.journal or settings.journal.path, args.lot, args.use_by)
    partial = args.pdf.with_name(args.pdf.name + ".partial")
    try:
        pages = write_labels(facts, args.count, partial)
        os.replace(partial, args.pdf)
    except OSError as exc:
        raise CliError(f"{args.pdf}: cannot write the PDF ({exc.strerror or exc})") from None
    finally:
        partial.unlink(missing_ok=True)
    print(f"{args.count} label(s) of lot {facts.lot} on {pages} page(s): {args.pdf}")
    print(f"  pasteurised {facts.pasteurised}, use by {facts.use_by}")
    print(f"  QR code: {facts.payload}")
    return EXIT_OK


def label_facts(settings: Settings, journal: Path, lot: str, use_by: date | None) -> LabelFacts:
    """What every label of ``lot`` says, from the journal."""
    from monitor.reports.labels_pdf import LabelFacts

    times = Times(settings.site.timezone)
    try:
        stream = lot_stream(lot)
        with JournalReader(journal) as reader, reader.snapshot():
            records = reader.stream_records(stream)
            if not records:
                raise CliError(f"{journal}: no lot {lot} in this journal")
            dossier = fold_lot(lot, records)
            if dossier.valid_acts("lot_destroyed"):
                raise CliError(f"lot {lot} was destroyed: no label for it")
            passed = []
            for cycle in dossier.linked_cycles:
                summary = summarise_cycle(cycle, reader.stream_records(cycle))
                if summary.verdict == "PASS" and summary.started_ts is not None:
                    passed.append(summary.started_ts)
            if not passed:
                raise CliError(f"lot {lot} has no passed cycle: it is not pasteurised")
            head = reader.stream_head(stream)
            key_id = _key_id(reader, stream, settings)
    except JournalError as exc:
        raise CliError(str(exc)) from None
    assert head is not None
    pasteurised = times.day(max(passed))
    return LabelFacts(settings.site.name, lot, pasteurised, use_by or _months_later(pasteurised),
                      key_id, head[0], head[1].hex())  # fmt: skip


def _key_id(reader: JournalReader, stream: str, settings: Settings) -> str:
    """The key that signed the lot stream last; before any signature, the device key."""
    signed = [found[1] for kind in SIGNED_KINDS if (found := reader.last_of_kind(stream, kind))]
    if signed:
        last = max(signed, key=lambda record: record.seq)
        if isinstance(last.fields.get("key_id"), str):
            return str(last.fields["key_id"])
    try:
        return load_key_file(settings.signing.key_file).key_id
    except KeyFileError:
        stored = list(reader.device_keys())
        if not stored:
            raise CliError("no device key: neither the journal nor the settings name one") from None
        return stored[-1]  # the latest added


def _months_later(day: date, months: int = USE_BY_MONTHS) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
