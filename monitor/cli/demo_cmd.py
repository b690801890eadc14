"""``lactamon demo``: a simulated lab's accelerated day, end to end, with nothing but Python."""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from monitor.cli.errors import EXIT_FAILURE, EXIT_OK, CliError


def register(commands: Any) -> None:
    parser = commands.add_parser("demo", help="run an accelerated simulated day end to end")
    parser.add_argument("--speed", type=float, default=200.0, help="simulated s per real s")
    parser.add_argument("--keep", type=Path, help="keep the journal in this folder")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.speed <= 1200:
        raise CliError(f"--speed must be between 1 and 1200, got {args.speed:g}")
    logging.getLogger().setLevel(logging.ERROR)  # the demo speaks for itself
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        folder = args.keep
    else:
        folder = Path(tempfile.mkdtemp(prefix="lactamon-demo-"))
    # Here, not at the top: every other command would load the simulator and its broker.
    from simulator.demo import run_demo

    ok = asyncio.run(run_demo(folder, args.speed, lambda text: print(text, flush=True)))
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
