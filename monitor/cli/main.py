"""Entry point of ``lactamon``: builds the parser from the command modules and runs one.

Only the module of the command given is imported: a command on the Pi does not pay for the
daemon's, the web's and the reports' imports (half a second on its own); help, and a word
that is no command, load them all.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from monitor.cli.errors import EXIT_USAGE, CliError

# Each module of monitor.cli and the commands it registers, in the order help lists them.
COMMANDS: dict[str, tuple[str, ...]] = {
    "demo_cmd": ("demo",),
    "run_cmd": ("run",),
    "ops_cmd": ("status", "alarms", "ack", "shelve", "cycle"),
    "notify_cmd": ("notify",),
    "config_cmd": ("config",),
    "probes_cmd": ("probes",),
    "keygen_cmd": ("keygen",),
    "journal_cmd": ("verify", "export"),
    "users_cmd": ("users",),
    "sheet_cmd": ("sheet",),
    "dossier_cmd": ("dossier",),
    "labels_cmd": ("labels",),
    "lot_cmd": ("lot",),
    "trace_cmd": ("trace",),
}


def command_modules(argv: Sequence[str]) -> list[ModuleType]:
    """The module of the command in ``argv``, or every module when it names none."""
    first = next((word for word in argv if not word.startswith("-")), None)
    names = [name for name, commands in COMMANDS.items() if first in commands] or list(COMMANDS)
    return [importlib.import_module(f"monitor.cli.{name}") for name in names]


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser of the command in ``argv``, or of every command."""
    parser = argparse.ArgumentParser(
        prog="lactamon",
        description="Pasteurisation and cold-chain monitoring for a human milk bank.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules(argv):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        code: int = args.handler(args)
    except CliError as exc:
        print(f"lactamon {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
