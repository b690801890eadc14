"""What every front-end shares: the lab as a value source, and pty links at device paths."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Protocol

from simulator.models.probe import ProbeOutput

PTY_DIR = "/dev/pts/"


class ValueSource(Protocol):
    """What a front-end asks the lab: each probe's output, and whether a link is up."""

    def probe_output(self, probe_id: str) -> ProbeOutput: ...

    def link_up(self, link_id: str) -> bool: ...


def check_replaceable(path: Path) -> None:
    """Refuse to put a link anywhere but in place of nothing or of an old pty link."""
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot create the simulated serial device {path}: "
            f"directory {path.parent} does not exist"
        )
    if path.is_symlink():
        if os.readlink(path).startswith(PTY_DIR):
            return
        raise FileExistsError(
            f"{path} is a link to {os.readlink(path)}, not to a pseudo-terminal; "
            "the simulator will not replace it"
        )
    if path.exists():
        raise FileExistsError(
            f"{path} exists and is not a simulated serial device; the simulator will not replace it"
        )


def link_device(path: Path, target: str) -> None:
    """Point ``path`` at ``target`` atomically: a driver never sees a half-made link."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, path)
