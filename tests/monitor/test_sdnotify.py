import logging
import socket
from pathlib import Path

import pytest

from monitor.sdnotify import SystemdNotifier


def test_messages_reach_the_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        n = SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
        assert n.watchdog_s == 30.0
        n.ready("3 probes")
        n.watchdog()
        n.stopping()
        got = [server.recv(1024).decode() for _ in range(3)]
    assert got == ["READY=1\nSTATUS=3 probes", "WATCHDOG=1", "STOPPING=1"]


def test_abstract_namespace_socket() -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0lactamon-test-notify")
        SystemdNotifier({"NOTIFY_SOCKET": "@lactamon-test-notify"}).ready()
        assert server.recv(64) == b"READY=1"


def test_outside_systemd_is_a_no_op() -> None:
    n = SystemdNotifier({})
    assert not n.enabled
    assert n.watchdog_s is None
    n.ready()


def test_watchdog_for_another_pid_is_ignored() -> None:
    assert SystemdNotifier({"WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"}).watchdog_s is None


def test_broken_socket_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    n = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "absent")})
    with caplog.at_level(logging.ERROR):
        n.watchdog()
        n.watchdog()
    assert len(caplog.records) == 1
    assert "cannot notify systemd" in caplog.records[0].getMessage()
