"""A simulated serial line: two pseudo-terminals joined by a relay inside the simulator.

pyserial (under pymodbus) opens serial ports by path, on the device side as on the
simulator side, and a single pseudo-terminal has a path on one end only. So the line is two
pairs: the simulated devices open the first pair's terminal (``server_path``), the driver
opens the configured device path, a symbolic link to the second pair's terminal, and the
relay copies bytes between the two controlling ends. A pseudo-terminal ignores the baud
rate: the line is as fast as the host, not as slow as RS-485.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tty
from pathlib import Path

from simulator.frontends.shared import check_replaceable, link_device

log = logging.getLogger(__name__)


class _Pty:
    """One pseudo-terminal pair; the terminal end is kept open so the other never reads EIO."""

    def __init__(self) -> None:
        self.controller, self.terminal = os.openpty()
        tty.setraw(self.terminal)
        os.set_blocking(self.controller, False)
        self.path = os.ttyname(self.terminal)

    def close(self) -> None:
        for fd in (self.controller, self.terminal):
            with contextlib.suppress(OSError):
                os.close(fd)


class PtyLink:
    """``open()`` makes ``device_path`` a serial port whose other end is ``server_path``."""

    def __init__(self, device_path: Path) -> None:
        self.device_path = Path(device_path)
        self._server_side: _Pty | None = None
        self._driver_side: _Pty | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def server_path(self) -> str:
        if self._server_side is None:
            raise RuntimeError(f"the serial line for {self.device_path} is not open")
        return self._server_side.path

    def open(self) -> None:
        """Create both pairs, the link at ``device_path`` and the relay (in the running loop)."""
        check_replaceable(self.device_path)
        loop = asyncio.get_running_loop()
        server_side, driver_side = _Pty(), _Pty()
        try:
            link_device(self.device_path, driver_side.path)
        except OSError:
            server_side.close()
            driver_side.close()
            raise
        loop.add_reader(server_side.controller, _relay, server_side.controller, driver_side)
        loop.add_reader(driver_side.controller, _relay, driver_side.controller, server_side)
        self._server_side, self._driver_side, self._loop = server_side, driver_side, loop

    def close(self) -> None:
        """Stop the relay, close both pairs and remove the link if it is still ours."""
        if self._server_side is None or self._driver_side is None or self._loop is None:
            return
        for side in (self._server_side, self._driver_side):
            self._loop.remove_reader(side.controller)
            side.close()
        with contextlib.suppress(OSError):
            if os.readlink(self.device_path) == self._driver_side.path:
                self.device_path.unlink()
        self._server_side = self._driver_side = self._loop = None


def _relay(source_fd: int, target: _Pty) -> None:
    try:
        data = os.read(source_fd, 4096)
    except (BlockingIOError, InterruptedError):
        return
    except OSError as exc:
        log.warning("simulated serial line: read failed: %s", exc)
        return
    try:
        os.write(target.controller, data)
    except BlockingIOError:
        # Nobody reads the other end and its buffer is full: a line drops what no one hears.
        log.debug("simulated serial line: %d bytes dropped, nobody is reading", len(data))
