"""The sync check works under the shipped unit's system-call filter, which refuses the clock
calls (``SystemCallFilter=~@clock``, ``ProtectClock=yes``) even for reading.

The check runs in a child process that first loads a seccomp filter refusing those calls
with EPERM, as systemd does (Debian's ``python3-seccomp``, for the system's Python: the
check itself needs nothing but the standard library). The kernel's answer is then lost, and
the time daemon's answers must still come through.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[3]
SYSTEM_PYTHON = "/usr/bin/python3"
CHILD = """
import errno, sys
from pathlib import Path
import seccomp
f = seccomp.SyscallFilter(seccomp.ALLOW)
for name in ("adjtimex", "clock_adjtime", "clock_settime", "settimeofday"):
    f.add_rule(seccomp.ERRNO(errno.EPERM), name)
f.load()
sys.path.insert(0, sys.argv[1])
from monitor.service.clock_sync import clock_synchronised, kernel_clock_synchronised
timesync = Path(sys.argv[2])
print(kernel_clock_synchronised(), clock_synchronised(timesync, sys.argv[3] or None))
"""


def sandboxed(timesync: Path, chronyc: str = "") -> str:
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", CHILD, str(ROOT), str(timesync), chronyc],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"the sandboxed check failed to run: {done.stderr}"
    return done.stdout.strip()


def test_under_the_filter_the_kernel_cannot_say_but_timesyncd_can(tmp_path: Path) -> None:
    timesync = tmp_path / "timesync"
    timesync.mkdir()
    assert sandboxed(timesync) == "None False"
    (timesync / "synchronized").touch()
    assert sandboxed(timesync) == "None True"


def test_under_the_filter_chrony_still_answers(tmp_path: Path) -> None:
    chronyc = tmp_path / "chronyc"
    fields = ",".join(["A9FEA97B", "ntp", "3", "1764748800.0", *["0.0"] * 9, "Normal"])
    chronyc.write_text(f"#!/bin/sh\necho '{fields}'\n")
    chronyc.chmod(0o755)
    assert sandboxed(tmp_path / "no-timesync", str(chronyc)) == "None True"
