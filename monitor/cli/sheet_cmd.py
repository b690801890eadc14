"""``lactamon sheet``: the enclosures' daily sheets, shown, signed, reviewed and printed.

``show`` and the month's PDF read the journal directly (``journal.path`` of the settings),
so they work while the daemon is stopped, for an inspector too. ``sign`` and ``review``
change the record: they go through the daemon, the journal's only writer, and ask for the
password, whose prompt says what the signature means.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from config import DEFAULT_CONFIG_PATH, Settings, load_settings
from monitor.cli.common import settings_or_exit
from monitor.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from monitor.cli.http_client import call
from monitor.cli.prompt import ask_password
from monitor.journal import JournalError, JournalReader
from monitor.sheets.days import BadDay, local_day, local_text, parse_day, parse_month
from monitor.sheets.model import REVIEW_MEANING, SIGN_MEANING
from monitor.sheets.read import read_month, read_sheet, recorded_enclosures
from monitor.sheets.views import sheet_json, sheet_lines


def register(commands: Any) -> None:
    sheet = commands.add_parser(
        "sheet", help="daily sheets: show, sign, review, or a month as PDF (--month, --pdf)"
    )
    sheet.add_argument("--month", help="the month to print, YYYY-MM (with --pdf)")
    sheet.add_argument("--enclosure", action="append", dest="enclosures", metavar="ENCLOSURE",
                       help="an enclosure to print (repeatable; default: every one)")  # fmt: skip
    sheet.add_argument("--pdf", type=Path, help="write the month's sheets to this PDF file")
    _config(sheet, DEFAULT_CONFIG_PATH)
    sheet.set_defaults(handler=run_month_pdf)
    actions = sheet.add_subparsers(dest="action", metavar="ACTION")

    show = actions.add_parser("show", help="one day's sheet, from the journal")
    show.add_argument("--json", action="store_true", help="print the sheet as JSON")
    show.set_defaults(handler=run_show)
    sign = actions.add_parser("sign", help="sign a closed day's sheet (asks for the password)")
    sign.set_defaults(handler=run_sign)
    for sub in (show, sign):
        sub.add_argument("--enclosure", required=True)
        sub.add_argument("--day", required=True, help="the local day, YYYY-MM-DD")
    review = actions.add_parser("review", help="review a month's signed sheets (supervisor)")
    review.add_argument("--enclosure", required=True)
    review.add_argument("--month", required=True, help="YYYY-MM")
    review.set_defaults(handler=run_review)
    for sub in (sign, review):
        sub.add_argument("--user", required=True)
        sub.add_argument("--comment", default="", help="what the signer adds")
        sub.add_argument("--correct", default="", metavar="REASON",
                         help="replace the standing one, for this reason")  # fmt: skip
    for sub in (show, sign, review):
        # Given after the action or before it: an action's own default must not undo the
        # --config given before it.
        _config(sub, argparse.SUPPRESS)


def _config(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--config", type=Path, default=default,
                        help=f"settings file (default {DEFAULT_CONFIG_PATH}; or "
                        "$LACTAMON_CONFIG)")  # fmt: skip


# -- reading --------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    settings = settings_or_exit(load_settings, args.config)
    day = _checked(parse_day, args.day)
    zone = settings.site.timezone
    with _open(settings) as reader:
        _known(settings, args.enclosure, reader)
        sheet = _read(read_sheet, reader, args.enclosure, day)
    if args.json:
        review = sheet.month_review
        answer = sheet_json(sheet) | {"month_review": asdict(review) if review else None}
        print(json.dumps(answer, indent=2, ensure_ascii=False))
    else:
        print("\n".join(sheet_lines(sheet, zone, sheet.month_review)))
    return EXIT_OK


def run_month_pdf(args: argparse.Namespace) -> int:
    if args.pdf is None or args.month is None:
        raise CliError(
            "give an action (show, sign, review), or --month YYYY-MM with --pdf FILE", EXIT_USAGE
        )
    settings = settings_or_exit(load_settings, args.config)
    month = _checked(parse_month, args.month)
    zone = settings.site.timezone
    configured = {e.id: e for e in settings.enclosures}
    wanted = args.enclosures or list(configured)
    if not wanted:
        raise CliError("no enclosure to print: the settings name none (give --enclosure)")
    with _open(settings) as reader:
        for enclosure in wanted:
            _known(settings, enclosure, reader)
        months = [_read(read_month, reader, e, month) for e in wanted]
    # reportlab is loaded here, by this command only: every command module is imported at
    # every start, the daemon's included.
    from monitor.reports.sheet_pdf import Page, write_month_pdf

    pages = [Page(configured.get(m.enclosure), m.enclosure, m) for m in months]
    now = time.time_ns()
    printed, today = f"{local_text(now, zone)} {zone}", local_day(now, zone)
    try:
        write_month_pdf(args.pdf, pages, settings.site.name, zone, printed, today)
    except OSError as exc:
        raise CliError(f"cannot write {args.pdf}: {exc.strerror or exc}") from None
    print(f"{args.pdf}: {len(pages)} page(s), {month:%Y-%m}, {', '.join(wanted)}")
    return EXIT_OK


# -- signing --------------------------------------------------------------------------------


def run_sign(args: argparse.Namespace) -> int:
    settings = settings_or_exit(load_settings, args.config)
    day = _checked(parse_day, args.day)
    _configured(settings, args.enclosure)
    meaning = f"{SIGN_MEANING} of {args.enclosure} for {day.isoformat()}"
    path = f"/api/sheets/{quote(args.enclosure, safe='')}/{day.isoformat()}/sign"
    answer = call(settings.web, "POST", path, _signed(args, meaning))
    signature = answer["signature"]
    zone = settings.site.timezone
    print(f"daily sheet of {args.enclosure} for {day.isoformat()} signed by "
          f"{signature['printed_name']} ({signature['user']}) at "
          f"{local_text(signature['ts'], zone)} {zone}")  # fmt: skip
    return EXIT_OK


def run_review(args: argparse.Namespace) -> int:
    settings = settings_or_exit(load_settings, args.config)
    month = _checked(parse_month, args.month)
    _configured(settings, args.enclosure)
    label = f"{month:%Y-%m}"
    meaning = f"{REVIEW_MEANING}, {args.enclosure} in {label}"
    path = f"/api/sheets/{quote(args.enclosure, safe='')}/{label}/review"
    answer = call(settings.web, "POST", path, _signed(args, meaning))
    review = answer["review"]
    zone = settings.site.timezone
    print(f"daily sheets of {args.enclosure} for {label} ({len(review['days'])} day(s)) "
          f"reviewed by {review['printed_name']} ({review['user']}) at "
          f"{local_text(review['ts'], zone)} {zone}")  # fmt: skip
    return EXIT_OK


def _signed(args: argparse.Namespace, meaning: str) -> dict[str, Any]:
    password = ask_password(f"password of {args.user} ({meaning}): ")
    return {"user": args.user, "password": password, "comment": args.comment,
            "correct": args.correct}  # fmt: skip


# -- checks ---------------------------------------------------------------------------------


def _checked(parse: Any, text: str) -> date:
    try:
        parsed: date = parse(text)
    except BadDay as exc:
        raise CliError(str(exc)) from None
    return parsed


def _configured(settings: Settings, enclosure: str) -> None:
    known = [e.id for e in settings.enclosures]
    if enclosure not in known:
        raise CliError(f"unknown enclosure {enclosure!r} (known: {', '.join(known) or 'none'})")


def _known(settings: Settings, enclosure: str, reader: JournalReader) -> None:
    """An enclosure of the settings, or one whose days the journal holds."""
    known = {e.id for e in settings.enclosures}
    if enclosure in known:
        return
    recorded = _read(recorded_enclosures, reader)
    if enclosure not in recorded:
        names = ", ".join(sorted(known | recorded)) or "none"
        raise CliError(f"unknown enclosure {enclosure!r} (known: {names})")


def _open(settings: Settings) -> JournalReader:
    """The journal of the settings, read-only, or a ``CliError`` saying why not."""
    try:
        return JournalReader(settings.journal.path)
    except JournalError as exc:
        raise CliError(f"cannot read the journal {settings.journal.path}: {exc}") from None


def _read(read: Any, *args: Any) -> Any:
    try:
        return read(*args)
    except JournalError as exc:
        raise CliError(f"cannot read the journal: {exc}") from None
