"""``lactamon lot ...``: each step of a lot's life, signed, asked of the running daemon.

``create``, ``bacteriology``, ``release``, ``destroy``, ``store``, ``unstore``, ``move``,
``distribute``, ``correct`` and ``decide`` change the lot's record: each asks for the user's
password, and prints the electronic signature the record carries (printed name, time,
meaning). An act that does not fit the lot is refused with the reason, exit 1, and nothing
is recorded. ``show``, ``where`` and ``list`` read (``lot_view_cmd``).
"""

from __future__ import annotations

import argparse
from typing import Any

from config import load_settings
from config.service import WebSettings
from monitor.cli import lot_view_cmd
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from monitor.cli.http_client import call
from monitor.cli.lot_words import segment, signed_lines
from monitor.cli.prompt import ask_password

Json = dict[str, Any]


def register(commands: Any) -> None:
    lot = commands.add_parser("lot", help="a lot's life: create, control, release, store, give")
    actions = lot.add_subparsers(dest="action", metavar="ACTION", required=True)
    subs = [_create(actions)]
    control = actions.add_parser("bacteriology", help="a bacteriology result (after: the control)")
    control.add_argument("lot")
    control.add_argument(
        "--stage",
        choices=("after", "before"),
        default="after",
        help="after pasteurisation (default) or before",
    )
    control.add_argument("--total-flora", type=float, required=True, help="CFU/mL")
    control.add_argument("--s-aureus", type=float, required=True, help="CFU/mL")
    control.add_argument("--lab-reference", default="")
    control.add_argument("--comment", default="")
    control.set_defaults(handler=run_control)
    release = actions.add_parser("release", help="release a lot (a supervisor)")
    release.add_argument("lot")
    release.add_argument("--comment", default="")
    release.set_defaults(handler=run_release)
    destroy = actions.add_parser("destroy", help="destroy what is left of a lot, saying why")
    destroy.add_argument("lot")
    destroy.add_argument("--reason", required=True)
    destroy.set_defaults(handler=run_destroy)
    store = actions.add_parser("store", help="put a lot in a fridge or a freezer")
    store.add_argument("lot")
    store.add_argument("--enclosure", required=True, help="e.g. F1")
    store.add_argument("--comment", default="")
    store.set_defaults(handler=run_store)
    unstore = actions.add_parser("unstore", help="take a lot out of its enclosure")
    unstore.add_argument("lot")
    unstore.add_argument("--enclosure", default="", help="where it should be (checked)")
    unstore.add_argument("--comment", default="")
    unstore.set_defaults(handler=run_unstore)
    move = actions.add_parser("move", help="move lots to another enclosure, as one act")
    move.add_argument("lots", nargs="+", metavar="LOT")
    move.add_argument("--to", required=True, help="the enclosure they go into")
    move.add_argument("--from", dest="origin", default="", help="where they are (checked)")
    move.add_argument("--comment", default="")
    move.set_defaults(handler=run_move)
    give = actions.add_parser("distribute", help="give a part of a released lot to a ward")
    give.add_argument("lot")
    give.add_argument("--bottles", type=int, default=0)
    give.add_argument("--volume-ml", type=float, default=0.0)
    give.add_argument("--ward", required=True, help="e.g. neonatology")
    give.add_argument("--recipient", required=True, help="the prescription or recipient reference")
    give.add_argument("--comment", default="")
    give.set_defaults(handler=run_distribute)
    correct = actions.add_parser("correct", help="amend a field of a record, or void it")
    correct.add_argument("lot")
    correct.add_argument("--record", type=int, required=True, help="the record's number (#)")
    change = correct.add_mutually_exclusive_group(required=True)
    change.add_argument("--set", metavar="FIELD=VALUE", help="the field's new value")
    change.add_argument("--void", action="store_true", help="void the whole record")
    correct.add_argument("--reason", default="", help="why (required by the rules)")
    correct.set_defaults(handler=run_correct)
    decide = actions.add_parser("decide", help="a supervisor's decision on an excursion")
    decide.add_argument("lot")
    decide.add_argument("--alarm", required=True, help="the excursion's alarm, e.g. band:F1")
    decide.add_argument("--decision", choices=("keep", "destroy"), required=True)
    decide.add_argument("--reason", required=True)
    decide.add_argument("--excursion", default="", help="which one (stream#seq), if several")
    decide.set_defaults(handler=run_decide)
    subs += [control, release, destroy, store, unstore, move, give, correct, decide]
    for sub in subs:
        sub.add_argument("--user", required=True)
        add_config_argument(sub)
    lot_view_cmd.register_actions(actions)


def _create(actions: Any) -> argparse.ArgumentParser:
    create: argparse.ArgumentParser = actions.add_parser(
        "create", help="a lot, its donors and its bacteriology"
    )
    create.add_argument("lot")
    create.add_argument("--donor", action="append", required=True, dest="donors")
    create.add_argument("--total-flora", type=float, required=True, help="CFU/mL before")
    create.add_argument("--s-aureus", type=float, required=True, help="CFU/mL before")
    create.add_argument("--lab-reference", default="")
    create.add_argument("--bottles", type=int, default=0, help="how many bottles it fills")
    create.add_argument("--volume-ml", type=float, default=0.0, help="how much milk it holds")
    create.set_defaults(handler=run_create)
    return create


def _web(args: argparse.Namespace) -> WebSettings:
    return settings_or_exit(load_settings, args.config).web


def _signed(args: argparse.Namespace, path: str, **body: Any) -> Json:
    """The act asked of the daemon with the user's password; its answer printed."""
    web = _web(args)
    password = ask_password(f"password of {args.user}: ")
    answer: Json = call(web, "POST", path, {"user": args.user, "password": password, **body})
    return answer


def _act(args: argparse.Namespace, act: str, done: str, **body: Any) -> int:
    answer = _signed(args, f"/api/lots/{segment(args.lot)}/{act}", **body)
    for line in signed_lines(answer, f"lot {args.lot} {done}"):
        print(line)
    return EXIT_OK


def run_create(args: argparse.Namespace) -> int:
    body = {
        "lot": args.lot,
        "sub_lots": args.donors,
        "total_flora_cfu_ml": args.total_flora,
        "s_aureus_cfu_ml": args.s_aureus,
        "lab_reference": args.lab_reference,
        "bottles": args.bottles,
        "volume_ml": args.volume_ml,
    }
    lot = _signed(args, "/api/lots", **body)
    print(f"lot {lot['lot']} recorded")
    return EXIT_OK


def run_control(args: argparse.Namespace) -> int:
    return _act(
        args,
        "bacteriology",
        f"bacteriology {args.stage} pasteurisation recorded",
        stage=args.stage,
        total_flora_cfu_ml=args.total_flora,
        s_aureus_cfu_ml=args.s_aureus,
        lab_reference=args.lab_reference,
        comment=args.comment,
    )


def run_release(args: argparse.Namespace) -> int:
    return _act(args, "release", "released", comment=args.comment)


def run_destroy(args: argparse.Namespace) -> int:
    return _act(args, "destroy", "destroyed", reason=args.reason)


def run_store(args: argparse.Namespace) -> int:
    return _act(
        args, "store", f"stored in {args.enclosure}", enclosure=args.enclosure, comment=args.comment
    )


def run_unstore(args: argparse.Namespace) -> int:
    return _act(args, "unstore", "taken out", enclosure=args.enclosure, comment=args.comment)


def run_move(args: argparse.Namespace) -> int:
    answer = _signed(
        args,
        "/api/lots/move",
        lots=args.lots,
        to=args.to,
        from_enclosure=args.origin,
        comment=args.comment,
    )
    moved = ", ".join(a["lot"] for a in answer["lots"])
    for line in signed_lines({"signature": answer["signature"]}, f"moved to {args.to}: {moved}"):
        print(line)
    return EXIT_OK


def run_distribute(args: argparse.Namespace) -> int:
    return _act(
        args,
        "distribute",
        f"distributed to {args.ward}",
        bottles=args.bottles,
        volume_ml=args.volume_ml,
        ward=args.ward,
        recipient_ref=args.recipient,
        comment=args.comment,
    )


def run_correct(args: argparse.Namespace) -> int:
    body: Json = {"target_seq": args.record, "reason": args.reason, "void": args.void}
    if args.set is not None:
        field, equals, value = args.set.partition("=")
        if not equals or not field.strip():
            raise CliError(f"--set {args.set!r}: write FIELD=VALUE", EXIT_USAGE)
        body.update(field=field.strip(), value=value)
    return _act(args, "correct", f"record #{args.record} corrected", **body)


def run_decide(args: argparse.Namespace) -> int:
    return _act(
        args,
        "decide",
        f"decided: {args.decision} after {args.alarm}",
        alarm=args.alarm,
        decision=args.decision,
        reason=args.reason,
        excursion=args.excursion,
    )
