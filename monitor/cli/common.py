"""Pieces every command shares: the ``--config`` option and loading settings or failing."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from config import DEFAULT_CONFIG_PATH, ConfigError, Settings
from monitor.cli.errors import EXIT_USAGE, CliError


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG_PATH,
        help=f"settings file (default {DEFAULT_CONFIG_PATH}; or $LACTAMON_CONFIG)",
    )


def settings_or_exit(load: Callable[[Path], Settings], path: Path) -> Settings:
    """The settings, or a ``CliError`` listing every problem (exit 2)."""
    try:
        return load(path)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
