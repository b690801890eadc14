"""``lactamon notify test``: a test message on the alarm path, now, through the daemon.

The daemon sends it on every configured channel (or ``--channel``) to whoever is on call (or
``--to``), and journals each delivery as it does an alarm's; the command prints what was
queued. Whether each arrived shows in ``lactamon status`` and in the journal.
"""

from __future__ import annotations

import argparse
from typing import Any

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK
from monitor.cli.http_client import call
from monitor.cli.prompt import ask_password


def register(commands: Any) -> None:
    notify = commands.add_parser("notify", help="test the alarm path")
    actions = notify.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="send a test message (asks for the password)")
    test.add_argument("--channel", default="", help="one channel only (email, webhook, …)")
    test.add_argument("--to", default="", help="one person of [notify.people] only")
    test.add_argument("--user", required=True)
    add_config_argument(test)
    test.set_defaults(handler=run_test)


def run_test(args: argparse.Namespace) -> int:
    web = settings_or_exit(load_settings, args.config).web
    password = ask_password(f"password of {args.user}: ")
    body = {"user": args.user, "password": password, "channel": args.channel, "to": args.to}
    answer = call(web, "POST", "/api/notify/test", body)
    for d in answer["deliveries"]:
        who = f" to {d['recipient']}" if d["recipient"] else ""
        print(f"queued on {d['channel']}{who} (key {d['idempotency_key']})")
    print("each delivery shows in 'lactamon status' and in the journal")
    return EXIT_OK
