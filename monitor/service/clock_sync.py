"""Is the system clock synchronised? A Raspberry Pi has no battery clock (docs/RULES.md, Records).

The shipped unit's sandbox (``ProtectClock=yes``, ``SystemCallFilter=~@clock``) refuses even a
reading ``adjtimex``, so the time daemon is asked first, in ways the sandbox allows:
systemd-timesyncd keeps the file ``/run/systemd/timesync/synchronized`` while the clock is
synchronised; chrony (which ``systemd/install.sh`` installs) answers ``chronyc tracking`` over
UDP on loopback, "Leap status: Normal" once synchronised. Where neither runs, the kernel is
asked: ``ntp_adjtime`` returns ``TIME_ERROR`` while no time daemon has disciplined the clock,
which is what ``timedatectl`` shows as "System clock synchronized: no".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)
TIME_ERROR = 5
TIMESYNC = Path("/run/systemd/timesync")


def clock_synchronised(timesync: Path = TIMESYNC, chronyc: str | None = None) -> bool | None:
    """timesyncd's word where it runs, else chrony's, else the kernel's; None where none can
    be asked."""
    if timesync.is_dir():
        return (timesync / "synchronized").exists()
    chrony = chrony_synchronised(chronyc or shutil.which("chronyc"))
    return chrony if chrony is not None else kernel_clock_synchronised()


def chrony_synchronised(chronyc: str | None) -> bool | None:
    """chrony's leap status ("Normal" once synchronised); None when chrony does not answer."""
    if chronyc is None:
        return None
    try:
        done = subprocess.run(
            [chronyc, "-n", "-c", "tracking"],
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    fields = done.stdout.strip().split(",")
    if done.returncode != 0 or len(fields) < 14:
        return None
    return fields[-1].strip() == "Normal"


def kernel_clock_synchronised() -> bool | None:
    """True or False as the kernel says, None where it cannot be asked (not Linux)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        adjtime = libc.ntp_adjtime
    except (OSError, AttributeError):
        return None
    buffer = ctypes.create_string_buffer(512)  # a zeroed struct timex: modes 0 reads only
    state = int(adjtime(buffer))
    if state < 0:
        log.warning("ntp_adjtime failed (errno %d)", ctypes.get_errno())
        return None
    return state != TIME_ERROR


class ClockSync:
    """The answer the daemon uses: the kernel's, unless the site does not require it."""

    def __init__(self, required: bool, probe: object = clock_synchronised) -> None:
        self.required = required
        self._probe = probe

    def synchronised(self) -> bool:
        if not self.required:
            return True
        assert callable(self._probe)
        answer = self._probe()
        return bool(answer)
