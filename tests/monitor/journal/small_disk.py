"""A small real file system that fills up and empties again, for the tests of a full disk.

A tmpfs of a few megabytes is mounted for the test and unmounted after it. ``fill()`` takes
every free byte with a ballast file, so the journal's next write that needs room fails with
ENOSPC exactly as on a full SD card; ``free()`` deletes the ballast. Mounting needs root (and
a kernel that lets the test's namespace mount): where it is refused the test fails and says
why, since a size limit inside SQLite (``JournalOptions.max_bytes``) fails the same
way but cannot be lifted again under a running writer.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_CHUNK = 64 * 1024


class SmallDisk:
    """A mounted tmpfs at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ballast = root / "ballast"

    def free_bytes(self) -> int:
        found = os.statvfs(self.root)
        return found.f_bavail * found.f_frsize

    def fill(self) -> None:
        """Take every free byte: writes that need room fail from now on."""
        fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (_CHUNK, 4096, 1):
                try:
                    while os.write(fd, b"\0" * size) == size:
                        pass
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
        finally:
            os.close(fd)
        assert self.free_bytes() == 0, self.free_bytes()

    def free(self) -> None:
        """Give the space back."""
        self.ballast.unlink()


@contextmanager
def small_disk(where: Path, size_mb: int) -> Iterator[SmallDisk]:
    """A tmpfs of ``size_mb`` MB mounted at ``where`` (created), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.fail(
            "a full disk is made with a small tmpfs, and mounting one needs root: run as root"
        )
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield SmallDisk(where)
    finally:
        # Lazy: a file a failed test left open must not keep the mount behind.
        subprocess.run(["umount", "-l", str(where)], check=True)
