"""Entry point of ``lactamon``: builds the parser from the command modules and runs one."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from monitor.cli import (
    config_cmd,
    demo_cmd,
    dossier_cmd,
    journal_cmd,
    keygen_cmd,
    labels_cmd,
    lot_cmd,
    notify_cmd,
    ops_cmd,
    probes_cmd,
    run_cmd,
    sheet_cmd,
    trace_cmd,
    users_cmd,
)
from monitor.cli.errors import EXIT_USAGE, CliError

COMMAND_MODULES = (
    demo_cmd, run_cmd, ops_cmd, notify_cmd, config_cmd, probes_cmd, keygen_cmd, journal_cmd,
    users_cmd, sheet_cmd, dossier_cmd, labels_cmd, lot_cmd, trace_cmd,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lactamon",
        description="Pasteurisation and cold-chain monitoring for a human milk bank.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
