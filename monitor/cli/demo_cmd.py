"""``lactamon demo``: a simulated lab's accelerated day, end to end, with nothing but Python.

The web application is served while the day runs, and with ``--keep`` after it, until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from monitor.cli.errors import EXIT_FAILURE, EXIT_OK, CliError

WEB_PORT = 8470  # the daemon's own default (config ``[web] port``): the README's address


def register(commands: Any) -> None:
    parser = commands.add_parser("demo", help="run an accelerated simulated day end to end")
    parser.add_argument("--speed", type=float, default=200.0, help="simulated s per real s")
    parser.add_argument("--folder", type=Path, help="keep the journal in this folder")
    parser.add_argument(
        "--keep", action="store_true", help="stay up after the day, at 1x, until Ctrl-C"
    )
    parser.add_argument(
        "--port", type=int, default=WEB_PORT, help=f"web and API port (default {WEB_PORT})"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.speed <= 1200:
        raise CliError(f"--speed must be between 1 and 1200, got {args.speed:g}")
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, got {args.port}")
    logging.getLogger().setLevel(logging.ERROR)  # the demo speaks for itself
    if args.folder is not None:
        args.folder.mkdir(parents=True, exist_ok=True)
        folder = args.folder
    else:
        folder = Path(tempfile.mkdtemp(prefix="lactamon-demo-"))
    # Here, not at the top: every other command would load the simulator and its broker.
    from simulator.demo import run_demo

    def say(text: str) -> None:
        print(text, flush=True)

    ok = asyncio.run(run_demo(folder, args.speed, say, port=args.port, keep=args.keep))
    config = write_settings(folder)
    print("\nlook further:")
    public = folder / "device.pub"  # the inspector's trusted copy of the device's public key
    print(f"  lactamon verify --config {config} --public-key {public}")
    print(f"  lactamon export --config {config} --lot L2026-002 --bundle {folder}/L2026-002.jsonl")
    print(f"  lactamon verify --bundle {folder}/L2026-002.jsonl --public-key {public}")
    return EXIT_OK if ok else EXIT_FAILURE


def write_settings(folder: Path) -> Path:
    """The settings the follow-up commands need, in ``folder`` beside the demo's journal.

    The paths are relative, and so resolve beside the settings file wherever it is read from.
    """
    config = folder / "demo.toml"
    config.write_text('[journal]\npath = "journal.sqlite"\n[signing]\nkey_file = "device.key"\n')
    return config
