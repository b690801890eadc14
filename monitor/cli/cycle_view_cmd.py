"""``lactamon cycle list`` and ``cycle show ID``: each cycle's phase and verdict, from the journal.

They read the journal read-only (the daemon may be running or not) and say, for each cycle,
where it stands or its verdict in words with its reasons, the figures an inspector reads on
the curve, every interruption of the hold and the alarms raised about it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from monitor.clock import ns_to_datetime
from monitor.journal import JournalError, JournalReader
from monitor.journal.streams import ALARM_STREAM, StreamKind, parse_stream
from monitor.reports.cycle_summary import CycleSummary, summarise_cycle


def register_actions(actions: Any) -> list[argparse.ArgumentParser]:
    listing = actions.add_parser("list", help="every cycle with its phase or verdict")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="one cycle: verdict, reasons, figures, alarms")
    show.add_argument("cycle", help="cycle id, e.g. cycle:P1:2026-11-21T08:00:00Z")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=run_show)
    for sub in (listing, show):
        add_config_argument(sub)
    return [listing, show]


def summaries(args: argparse.Namespace, only: str | None = None) -> list[CycleSummary]:
    settings = settings_or_exit(load_settings, args.config)
    try:
        with JournalReader(settings.journal.path) as reader, reader.snapshot():
            names = [n for n in reader.stream_names() if parse_stream(n).kind is StreamKind.CYCLE]
            if only is not None:
                if only not in names:
                    raise CliError(f"no cycle {only!r} in {settings.journal.path}", EXIT_USAGE)
                names = [only]
            alarms = reader.stream_records(ALARM_STREAM)
            return [summarise_cycle(n, reader.stream_records(n), alarms) for n in sorted(names)]
    except JournalError as exc:
        raise CliError(str(exc)) from None


def run_list(args: argparse.Namespace) -> int:
    found = summaries(args)
    if args.json:
        print(json.dumps([s.as_json() for s in found], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not found:
        print("no cycle on record")
    for s in found:
        lots = ",".join(s.lots) or "—"
        print(f"{s.cycle:34} {s.program:10} lots {lots:20} {s.verdict}")
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    [summary] = summaries(args, args.cycle)
    if args.json:
        print(json.dumps(summary.as_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{summary.cycle}  {summary.program}  lots {', '.join(summary.lots) or '—'}")
    print(f"verdict: {summary.verdict}")
    for reason in summary.reasons:
        print(f"  because {reason}")
    for label, text in summary.figure_lines():
        print(f"  {label:28} {text}")
    if summary.interruptions:
        print("interruptions of the hold:")
        for ts, reason in summary.interruptions:
            print(f"  {_when(ts)}  {reason}")
    if summary.alarms:
        print("alarms:")
        for ts, action, message, by in summary.alarms:
            print(f"  {_when(ts)}  {action:12} {message}" + (f"  ({by})" if by else ""))
    return EXIT_OK


def _when(ts: int) -> str:
    return ns_to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S UTC")
