"""Is the system clock synchronised? A Raspberry Pi has no battery clock (DOMAIN.md).

The kernel knows: ``ntp_adjtime`` returns ``TIME_ERROR`` while no time daemon (chrony,
systemd-timesyncd, ntpd) has disciplined the clock, which is what ``timedatectl`` shows as
"System clock synchronized: no".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)
TIME_ERROR = 5


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

    def __init__(self, required: bool, probe: object = kernel_clock_synchronised) -> None:
        self.required = required
        self._probe = probe

    def synchronised(self) -> bool:
        if not self.required:
            return True
        assert callable(self._probe)
        answer = self._probe()
        return bool(answer)
