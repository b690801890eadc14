"""``lactamon trace --donor D`` or ``--lot L``: where a milk came from and where it went.

Traceability (docs/RULES.md, The lot's life, L7; Arrêté 1995 glossary 7): from a donor's
code, every lot her milk went into and, for each, its cycles, stays, distributions (ward and
prescription) or destruction; from a lot, its donors, cycles with their verdicts, stays and
recipients.
"""

from __future__ import annotations

import argparse
import json
from typing import Any
from urllib.parse import urlencode

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK
from monitor.cli.http_client import call
from monitor.cli.lot_words import trace_lines


def register(commands: Any) -> None:
    trace = commands.add_parser("trace", help="from a donor to the wards, or a lot's whole way")
    which = trace.add_mutually_exclusive_group(required=True)
    which.add_argument("--donor", help="a donor's code: the lots her milk went into")
    which.add_argument("--lot", help="a lot: its donors, cycles, stays and recipients")
    trace.add_argument("--json", action="store_true", help="print the raw JSON")
    trace.set_defaults(handler=run_trace)
    add_config_argument(trace)


def run_trace(args: argparse.Namespace) -> int:
    web = settings_or_exit(load_settings, args.config).web
    query = {"donor": args.donor} if args.donor is not None else {"lot": args.lot}
    answer = call(web, "GET", "/api/trace?" + urlencode(query))
    if args.json:
        print(json.dumps(answer, indent=2, ensure_ascii=False))
        return EXIT_OK
    lots = answer["lots"] if args.donor is not None else [answer["lot"]]
    if args.donor is not None:
        print(f"donor {args.donor}: milk in {len(lots)} lot(s)")
    for lot in lots:
        for line in trace_lines(lot):
            print(line)
    return EXIT_OK
