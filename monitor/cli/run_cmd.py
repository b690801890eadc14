"""``lactamon run``: start the daemon in the foreground (systemd runs it this way)."""

from __future__ import annotations

import argparse
import asyncio
import gc
from typing import Any

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK, CliError
from monitor.journal import JournalError, KeyFileError
from monitor.service.allocator import one_arena
from monitor.service.clock_origin import continued_clock
from monitor.service.daemon import Daemon
from monitor.users import UserError


def register(commands: Any) -> None:
    parser = commands.add_parser("run", help="run the monitoring daemon")
    add_config_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_or_exit(load_settings, args.config)
    daemon = Daemon(settings, continued_clock(settings.clock.speed, settings.journal.path))
    # What the imports and the settings made lives as long as the process: kept out of the
    # collector's full passes, which would otherwise pause the loop (and alarms) for tens of ms.
    gc.collect()
    gc.freeze()
    one_arena()  # before the first worker thread
    try:
        asyncio.run(daemon.run())
    except (KeyFileError, JournalError, UserError) as exc:
        raise CliError(f"cannot start: {exc}") from None
    except (OSError, ValueError) as exc:  # ValueError: an InfluxDB secret file (factory)
        raise CliError(f"cannot start: {exc}") from None
    return EXIT_OK
