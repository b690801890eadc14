"""Commands that ask the running daemon: status, alarms, ack, shelve, cycle (lots: ``lot_cmd``).

Anything that changes state goes through the daemon (the only writer of the journal) and
is signed: the command asks for the user's password every time.
"""

from __future__ import annotations

import argparse
import json
from typing import Any
from urllib.parse import quote

from config import load_settings
from monitor.cli import cycle_view_cmd
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_FAILURE, EXIT_OK
from monitor.cli.http_client import call
from monitor.cli.prompt import ask_password
from monitor.clock import ns_to_datetime


def register(commands: Any) -> None:
    status = commands.add_parser("status", help="probes, cycles, alarms; exit 1 if unhealthy")
    status.add_argument("--json", action="store_true", help="print the raw JSON")
    status.set_defaults(handler=run_status)

    alarms = commands.add_parser("alarms", help="list alarms")
    alarms.add_argument("--all", action="store_true", help="include alarms back to normal")
    alarms.set_defaults(handler=run_alarms)

    ack = commands.add_parser("ack", help="acknowledge an alarm (asks for the password)")
    ack.add_argument("alarm", help="alarm key, e.g. band:F1")
    ack.add_argument("--user", required=True)
    ack.add_argument("--comment", required=True, help="what was seen or done")
    ack.set_defaults(handler=run_ack)

    shelve = commands.add_parser("shelve", help="shelve an alarm for a while, with a reason")
    shelve.add_argument("alarm")
    shelve.add_argument("--user", required=True)
    shelve.add_argument("--minutes", type=float, required=True)
    shelve.add_argument("--comment", required=True, help="why it is shelved")
    shelve.set_defaults(handler=run_shelve)

    cycle = commands.add_parser("cycle", help="start, abort, list or show pasteurisation cycles")
    actions = cycle.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start a cycle for lots with a program")
    start.add_argument("--pasteuriser", required=True)
    start.add_argument("--lot", action="append", required=True, dest="lots")
    start.add_argument("--program", required=True, help="e.g. holder58 or holder63")
    start.add_argument("--user", required=True)
    start.set_defaults(handler=run_cycle_start)
    abort = actions.add_parser("abort", help="abort the running cycle")
    abort.add_argument("--pasteuriser", required=True)
    abort.add_argument("--user", required=True)
    abort.add_argument("--reason", required=True)
    abort.set_defaults(handler=run_cycle_abort)
    cycle_view_cmd.register_actions(actions)
    for sub in (status, alarms, ack, shelve, start, abort):
        add_config_argument(sub)


def _web(args: argparse.Namespace) -> Any:
    return settings_or_exit(load_settings, args.config).web


def _signed(args: argparse.Namespace, **body: Any) -> dict[str, Any]:
    return {"user": args.user, "password": ask_password(f"password of {args.user}: "), **body}


def _segment(name: str) -> str:
    # Unquoted, a '/', '?' or '#' in a key or id would reach another route, or none
    # ("Not Found"), instead of the daemon saying which key or id it does not know.
    return quote(name, safe="")


def _when(ts: int | None) -> str:
    return ns_to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S UTC") if ts else "—"


def run_status(args: argparse.Namespace) -> int:
    status = call(_web(args), "GET", "/api/status")
    if args.json:
        print(json.dumps(status, indent=2, ensure_ascii=False))
        return EXIT_OK if status["healthy"] else EXIT_FAILURE
    print(f"site {status['site']} / {status['device']}  clock synchronised: "
          f"{'yes' if status['clock_synchronised'] else 'NO'}")  # fmt: skip
    for p in status["probes"]:
        value = "—" if p["value"] is None else f"{p['value']:.2f} °C"
        age = "" if p["age_s"] is None else f"{p['age_s']:.0f} s ago"
        print(f"  {p['probe']:14} {value:>11} {age:>10}  {p['state']}")
    for c in status["cycles"]:
        print(f"cycle {c['cycle']}: {c['phase']}, {c['program']}, lots {', '.join(c['lots'])}")
    for c in status.get("closed_cycles", []):
        why = "; ".join(c["reasons"]) or "hold proven, cooled in time"
        print(f"cycle {c['cycle']}: {c['outcome'].upper()} ({why}), lots {', '.join(c['lots'])}")
    for source, reasons in sorted(status.get("rejects", {}).items()):
        counted = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        print(f"  {source:14} rejected: {counted}")
    a = status["alarms"]
    print(f"alarms: {a['active']} active, {a['unacknowledged']} to acknowledge")
    i = status.get("input")
    if i:
        overload = "  OVERLOAD" if i["overload"] else ""
        print(f"input: lag {i['lag_s']:.3f} s, {i['queued']} waiting in the daemon, "
              f"{i['shed']} shed{overload}")  # fmt: skip
        for name, link in sorted(i["links"].items()):
            heard = "" if link["behind_s"] is None else f", read up to {link['behind_s']:.1f} s ago"
            print(f"  {name}: lag markers {link['markers']}{heard}, {link['lost_markers']} lost")
    if status["outbox"]:
        o = status["outbox"]
        age = o.get("oldest_age_s")
        oldest = f", the oldest {age / 60:.0f} min old" if age else ""
        print(f"outbox to {o.get('sink', '?')}: {o.get('pending', 0)} rows pending{oldest}, "
              f"{o.get('delivered', 0)} delivered since start")  # fmt: skip
        if o.get("last_error"):
            print(f"  last error: {o['last_error']}")
    notify = status.get("notify") or {}
    for name, c in sorted(notify.get("channels", {}).items()):
        print(f"notify {name:8} last delivered {_when(c['last_success_ns'])}, last failure "
              f"{_when(c['last_failure_ns'])}, {c['queued']} queued, {c['held']} held")  # fmt: skip
        if c["last_error"]:
            print(f"  last error: {c['last_error']}")
    if "heartbeat" in notify:
        hb = notify["heartbeat"]
        print(f"heartbeat last sent {_when(hb['last_success_ns'])}, last failure "
              f"{_when(hb['last_failure_ns'])}")  # fmt: skip
    for problem in status["problems"]:
        print(f"! {problem}")
    print("healthy" if status["healthy"] else "NOT healthy")
    return EXIT_OK if status["healthy"] else EXIT_FAILURE


def run_alarms(args: argparse.Namespace) -> int:
    answer = call(_web(args), "GET", "/api/alarms" + ("?all=1" if args.all else ""))
    alarms = answer["alarms"]
    if not alarms:
        print("no alarm")
    for a in alarms:
        ack = f" — acknowledged by {a['acknowledged_by']}" if a["acknowledged_by"] else ""
        print(f"P{a['priority']} {a['key']:28} {a['state']:36} since {_when(a['raised_ns'])}")
        print(f"    {a['message']}{ack}")
    return EXIT_OK


def run_ack(args: argparse.Namespace) -> int:
    body = _signed(args, comment=args.comment)
    alarm = call(_web(args), "POST", f"/api/alarms/{_segment(args.alarm)}/ack", body)
    print(f"{alarm['key']}: {alarm['state']} (acknowledged by {alarm['acknowledged_by']})")
    return EXIT_OK


def run_shelve(args: argparse.Namespace) -> int:
    body = _signed(args, comment=args.comment, minutes=args.minutes)
    alarm = call(_web(args), "POST", f"/api/alarms/{_segment(args.alarm)}/shelve", body)
    print(f"{alarm['key']}: shelved until {_when(alarm['shelved_until_ns'])}")
    return EXIT_OK


def run_cycle_start(args: argparse.Namespace) -> int:
    body = _signed(args, pasteuriser=args.pasteuriser, lots=args.lots, program=args.program)
    cycle = call(_web(args), "POST", "/api/cycles", body)
    print(f"started {cycle['cycle']} ({cycle['program']}) for lots {', '.join(cycle['lots'])}")
    return EXIT_OK


def run_cycle_abort(args: argparse.Namespace) -> int:
    body = _signed(args, reason=args.reason)
    done = call(_web(args), "POST", f"/api/cycles/{_segment(args.pasteuriser)}/abort", body)
    print(f"{done['cycle']}: {done['outcome']}")
    return EXIT_OK
