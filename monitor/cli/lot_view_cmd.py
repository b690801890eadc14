"""``lactamon lot show L``, ``lot where [ENCLOSURE]``, ``lot list``: lots as the daemon has them.

``show`` prints a lot's whole dossier with the excursions it lived through (their measured
and unmeasured time, worst value and any decision) and its deadlines; ``where`` the open
lots by enclosure now (``where F1``: those in F1; ``where --lot L``: where L is); ``list``
the open lots, ``--all`` every lot. They ask the daemon, which reads its journal after a commit.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK
from monitor.cli.http_client import call
from monitor.cli.lot_words import dossier_lines, segment, state_line


def register_actions(actions: Any) -> None:
    show = actions.add_parser("show", help="a lot's dossier, excursions and deadlines")
    show.add_argument("lot")
    show.set_defaults(handler=run_show)
    where = actions.add_parser("where", help="the lots in each enclosure now")
    where.add_argument("enclosure", nargs="?", default="", help="this enclosure's lots only")
    where.add_argument("--lot", default="", help="where this lot is")
    where.set_defaults(handler=run_where)
    listing = actions.add_parser("list", help="the open lots and their states")
    listing.add_argument("--all", action="store_true", help="closed lots too")
    listing.set_defaults(handler=run_list)
    for sub in (show, where, listing):
        sub.add_argument("--json", action="store_true", help="print the raw JSON")
        add_config_argument(sub)


def _print_json(answer: Any) -> int:
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    web = settings_or_exit(load_settings, args.config).web
    lot = call(web, "GET", f"/api/lots/{segment(args.lot)}")
    if args.json:
        return _print_json(lot)
    for line in dossier_lines(lot):
        print(line)
    return EXIT_OK


def run_where(args: argparse.Namespace) -> int:
    web = settings_or_exit(load_settings, args.config).web
    if args.lot:
        lot = call(web, "GET", f"/api/lots/{segment(args.lot)}")
        if args.json:
            return _print_json(lot)
        print(state_line(lot) + ("" if lot["location"] else "; in no enclosure"))
        return EXIT_OK
    if args.enclosure:
        found = call(web, "GET", f"/api/enclosures/{segment(args.enclosure)}/lots")
        if args.json:
            return _print_json(found)
        print(f"{found['enclosure']} ({found['kind']}): {len(found['lots']) or 'no'} lot(s)")
        for lot in found["lots"]:
            print(f"  {state_line(lot)}")
        return EXIT_OK
    lots = call(web, "GET", "/api/lots")["lots"]
    if args.json:
        return _print_json(lots)
    places: dict[str, list[Any]] = {}
    for lot in lots:
        places.setdefault(lot["location"] or "", []).append(lot)
    if not places:
        print("no open lot")
    for place, here in sorted(places.items()):
        print(f"{place or 'in no enclosure'}: {len(here)} lot(s)")
        for lot in here:
            print(f"  {state_line(lot)}")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    web = settings_or_exit(load_settings, args.config).web
    answer = call(web, "GET", "/api/lots" + ("?all=1" if args.all else ""))
    if args.json:
        return _print_json(answer)
    if not answer["lots"]:
        print("no lot" if args.all else "no open lot")
    for lot in answer["lots"]:
        print(state_line(lot))
    return EXIT_OK
