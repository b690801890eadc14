"""``lactamon keygen``: the device's Ed25519 signing key, made once or rotated.

``--rotate`` replaces the key by a new one; the old one, kept, signs a statement handing the
journal over, which the daemon journals at its next start (``journal.rotation_file``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from config import load_settings
from monitor.cli.common import add_config_argument, settings_or_exit
from monitor.cli.errors import EXIT_OK, CliError
from monitor.clock import SystemClock
from monitor.journal import KeyFileError, keygen
from monitor.journal.rotation_file import rotate_key_file


def register(commands: Any) -> None:
    gen = commands.add_parser("keygen", help="create the device's Ed25519 signing key")
    gen.add_argument("--key", type=Path, help="key file to create (default: signing.key_file)")
    gen.add_argument(
        "--rotate",
        action="store_true",
        help="replace the key by a new one; the old one (kept) signs a statement handing "
        "the journal over, which the daemon journals at its next start",
    )
    add_config_argument(gen)
    gen.set_defaults(handler=run_keygen)


def run_keygen(args: argparse.Namespace) -> int:
    path = args.key
    if path is None:
        path = settings_or_exit(load_settings, args.config).signing.key_file
    try:
        if args.rotate:
            print(rotate_key_file(path, SystemClock().now_ns()).describe(path))
            return EXIT_OK
        make_private_folders(path.parent)
        public, key_id = keygen(path)
    except (KeyFileError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(f"key file:    {path}")
    print(f"public key:  {public}")
    print(f"key id:      {key_id}")
    print("Publish the public key and key id: inspectors verify records with them.")
    return EXIT_OK


def make_private_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each readable by its owner only (0700).

    They will hold the device's private key; a folder that exists is left as it is.
    """
    for each in [*reversed(folder.absolute().parents), folder.absolute()]:
        if each.is_dir():
            continue
        each.mkdir(mode=0o700)
        each.chmod(0o700)  # mkdir's mode passes through the umask, which could take more
