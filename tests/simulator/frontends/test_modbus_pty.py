"""The simulated serial line: bytes cross both ways, and the device link is handled with care."""

from __future__ import annotations

import asyncio
import os
import tty
from pathlib import Path

import pytest

from simulator.frontends.modbus_pty import PtyLink


async def read_some(fd: int, want: int) -> bytes:
    loop = asyncio.get_running_loop()
    data = b""
    deadline = loop.time() + 2.0
    while len(data) < want:
        if loop.time() > deadline:
            raise AssertionError(f"only {data!r} arrived")
        try:
            data += os.read(fd, 100)
        except BlockingIOError:
            await asyncio.sleep(0.005)
    return data


def open_raw(path: str | Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    return fd


async def test_bytes_cross_the_line_both_ways(tmp_path: Path) -> None:
    device = tmp_path / "ttyLAB0"
    link = PtyLink(device)
    link.open()
    driver_fd = server_fd = -1
    try:
        assert os.readlink(device).startswith("/dev/pts/")
        driver_fd, server_fd = open_raw(device), open_raw(link.server_path)
        os.write(driver_fd, b"\x01\x03\x00\x00\x00\x01\x84\x0a")
        assert await read_some(server_fd, 8) == b"\x01\x03\x00\x00\x00\x01\x84\x0a"
        os.write(server_fd, b"\x01\x03\x02\x02\x76")
        assert await read_some(driver_fd, 5) == b"\x01\x03\x02\x02\x76"
    finally:
        for fd in (driver_fd, server_fd):
            if fd >= 0:
                os.close(fd)
        link.close()
    assert not device.is_symlink()
    link.close()  # closing twice is harmless


async def test_a_stale_link_to_a_pseudo_terminal_is_replaced(tmp_path: Path) -> None:
    device = tmp_path / "ttyLAB0"
    device.symlink_to("/dev/pts/999")
    link = PtyLink(device)
    link.open()
    try:
        assert os.readlink(device) != "/dev/pts/999"
    finally:
        link.close()


async def test_other_files_are_never_replaced(tmp_path: Path) -> None:
    regular = tmp_path / "ttyUSB0"
    regular.write_text("not a tty")
    with pytest.raises(FileExistsError, match="exists and is not a simulated serial device"):
        PtyLink(regular).open()
    other_link = tmp_path / "by-id"
    other_link.symlink_to("/dev/ttyUSB7")
    with pytest.raises(
        FileExistsError, match="is a link to /dev/ttyUSB7, not to a pseudo-terminal"
    ):
        PtyLink(other_link).open()
    assert regular.read_text() == "not a tty"
    with pytest.raises(FileNotFoundError, match=r"directory .*missing does not exist"):
        PtyLink(tmp_path / "missing" / "tty").open()
    with pytest.raises(RuntimeError, match="is not open"):
        _ = PtyLink(tmp_path / "tty").server_path
