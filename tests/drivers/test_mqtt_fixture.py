"""The Mosquitto test fixture itself: loopback only, restartable, and never a silent skip."""

import shutil
import socket
from pathlib import Path

import pytest

from tests.fixtures.mosquitto import MosquittoBroker


def test_a_missing_mosquitto_fails_naming_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(pytest.fail.Exception, match="install the Debian package 'mosquitto'"):
        MosquittoBroker(tmp_path)


def test_listens_on_loopback_only_and_restarts_on_the_same_port(
    mosquitto: MosquittoBroker,
) -> None:
    config = mosquitto.config_file.read_text()
    assert f"listener {mosquitto.port} 127.0.0.1\n" in config
    assert "allow_anonymous true" in config
    port = mosquitto.port
    mosquitto.restart()
    assert mosquitto.port == port
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    mosquitto.stop()
    mosquitto.stop()  # stopping twice is harmless
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        pass


def test_password_and_tls_variants(
    mosquitto_password: MosquittoBroker, mosquitto_tls: MosquittoBroker
) -> None:
    assert "allow_anonymous false" in mosquitto_password.config_file.read_text()
    tls = mosquitto_tls.settings()
    assert tls.tls is not None
    assert tls.tls.ca_file is not None
    assert tls.tls.ca_file.exists()
    assert "certfile" in mosquitto_tls.config_file.read_text()
