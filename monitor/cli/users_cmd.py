"""``lactamon users add | role | passwd | disable | list``: who may sign, and as what.

Supervisors manage users (docs/RULES.md, People): every change is signed by a supervisor's
name and password, except the very first user of a new site, who must be a supervisor. The
change and its signature (login, printed name, meaning ``authorised``, ``--comment``) are
written to the user database's audit; the daemon copies them into the journal's ``users``
stream, at once when it runs, at its next start otherwise (``monitor.users.journaling``), so
these commands need no running daemon.
"""

from __future__ import annotations

import argparse
from typing import Any

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK, CliError
from monitor.cli.prompt import ask_new_password, ask_password
from monitor.clock import SystemClock
from monitor.signature import Signature
from monitor.users import AuthError, Permission, Role, UserError, UserStore
from monitor.users.audit import CHANGE_MEANING

JOURNALED = "the daemon writes it to the signed journal (at its next start if it is stopped)"


def register(commands: Any) -> None:
    parser = commands.add_parser("users", help="manage the people who sign")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a user (asks for the new password)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="printed name shown on signatures")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--by", help="supervisor signing the change (not for the first user)")
    add.set_defaults(handler=run_add)

    role = actions.add_parser("role", help="give a user another role")
    role.add_argument("username")
    role.add_argument("--role", required=True, choices=[r.value for r in Role])
    role.add_argument("--by", required=True, help="supervisor signing the change")
    role.set_defaults(handler=run_role)

    passwd = actions.add_parser("passwd", help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--by", required=True, help="supervisor signing the change")
    passwd.set_defaults(handler=run_passwd)

    disable = actions.add_parser("disable", help="disable a user (kept for the record)")
    disable.add_argument("username")
    disable.add_argument("--by", required=True, help="supervisor signing the change")
    disable.set_defaults(handler=run_disable)

    listing = actions.add_parser("list", help="list users and roles")
    listing.set_defaults(handler=run_list)
    for sub in (add, role, passwd, disable):
        sub.add_argument("--comment", default="", help="why: kept with the signature")
    for sub in (add, role, passwd, disable, listing):
        add_config_argument(sub)


def open_store(args: argparse.Namespace) -> UserStore:
    settings = settings_or_exit(load_settings, args.config)
    path = settings.users.path
    if not path.parent.is_dir():
        raise CliError(f"{path.parent}: no such directory for the user database")
    try:
        return UserStore(path)
    except UserError as exc:
        raise CliError(str(exc)) from None


def supervisor(store: UserStore, args: argparse.Namespace, now: int) -> Signature:
    """The signature of the supervisor ``--by`` names, once their password is checked."""
    by: str | None = args.by
    if by is None:
        raise CliError("--by SUPERVISOR is required: a supervisor signs user changes")
    try:
        user = store.authorise(
            now, by, ask_password(f"password of {by}: "), Permission.MANAGE_USERS
        )
    except AuthError as exc:
        raise CliError(str(exc)) from None
    return Signature(user.username, user.printed_name, CHANGE_MEANING, args.comment)


def run_add(args: argparse.Namespace) -> int:
    store = open_store(args)
    now = SystemClock().now_ns()
    try:
        role = Role(args.role)
        if store.all_users():
            by = supervisor(store, args, now)
        elif role is not Role.SUPERVISOR:
            raise CliError("the first user of a site must be a supervisor")
        else:  # the first supervisor signs for themselves
            by = Signature(args.username, args.name.strip(), CHANGE_MEANING, args.comment)
        password = ask_new_password(f"new password for {args.username}: ")
        user = store.add(now, args.username, args.name, role, password, by=by)
    except UserError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    print(f"added {user.role.value} {user.username} ({user.printed_name}); {JOURNALED}")
    return EXIT_OK


def run_role(args: argparse.Namespace) -> int:
    store = open_store(args)
    now = SystemClock().now_ns()
    try:
        store.get(args.username)
        user = store.set_role(now, args.username, Role(args.role), by=supervisor(store, args, now))
    except UserError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    print(f"{user.username} is now a {user.role.value}; {JOURNALED}")
    return EXIT_OK


def run_passwd(args: argparse.Namespace) -> int:
    store = open_store(args)
    now = SystemClock().now_ns()
    try:
        store.get(args.username)
        by = supervisor(store, args, now)
        store.set_password(now, args.username, ask_new_password("new password: "), by=by)
    except UserError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    print(f"password of {args.username} changed; {JOURNALED}")
    return EXIT_OK


def run_disable(args: argparse.Namespace) -> int:
    store = open_store(args)
    now = SystemClock().now_ns()
    try:
        store.get(args.username)
        store.disable(now, args.username, by=supervisor(store, args, now))
    except UserError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    print(f"user {args.username} disabled; {JOURNALED}")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        for user in store.all_users():
            state = " (disabled)" if user.disabled else ""
            print(f"{user.username:16} {user.role.value:11} {user.printed_name}{state}")
    finally:
        store.close()
    return EXIT_OK
