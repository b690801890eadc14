"""Relative paths in a settings file lead beside the file; from the environment, the cwd."""

from pathlib import Path

import pytest

from config import Settings, load_settings

EVERY_PATH = """
[journal]
path = "var/journal.sqlite"
[signing]
key_file = "var/device.key"
[users]
path = "var/users.sqlite"
[influxdb]
token_file = "secrets/influx.token"
password_file = "secrets/influx.password"
[web]
unix_socket = "run/lactamon.sock"
[mqtt]
username = "lactamon"
password_file = "secrets/mqtt.password"
tls = { ca_file = "tls/ca.crt", cert_file = "tls/client.crt", key_file = "tls/client.key" }
[[modbus]]
kind = "rtu"
id = "rs485"
device = "dev/ttyRS485"
[[modbus]]
kind = "tcp"
id = "gateway"
host = "127.0.0.1"
[[serial]]
id = "recorder"
device = "dev/ttyRecorder"
"""


def every_path(settings: Settings) -> dict[str, Path | None]:
    mqtt = settings.mqtt
    assert mqtt is not None
    assert mqtt.tls is not None
    rtu = settings.modbus[0]
    assert rtu.kind == "rtu"
    return {
        "journal.path": settings.journal.path,
        "signing.key_file": settings.signing.key_file,
        "users.path": settings.users.path,
        "influxdb.token_file": settings.influxdb.token_file,
        "influxdb.password_file": settings.influxdb.password_file,
        "web.unix_socket": settings.web.unix_socket,
        "mqtt.password_file": mqtt.password_file,
        "mqtt.tls.ca_file": mqtt.tls.ca_file,
        "mqtt.tls.cert_file": mqtt.tls.cert_file,
        "mqtt.tls.key_file": mqtt.tls.key_file,
        "modbus[0].device": rtu.device,
        "serial[0].device": settings.serial[0].device,
    }


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that is not the settings file's folder."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_every_relative_path_resolves_against_the_settings_folder(
    tmp_path: Path, elsewhere: Path
) -> None:
    folder = tmp_path / "etc" / "lactamon"
    folder.mkdir(parents=True)
    (folder / "lactamon.toml").write_text(EVERY_PATH)
    settings = load_settings(Path("..") / "etc" / "lactamon" / "lactamon.toml")
    expected = {
        "journal.path": "var/journal.sqlite",
        "signing.key_file": "var/device.key",
        "users.path": "var/users.sqlite",
        "influxdb.token_file": "secrets/influx.token",
        "influxdb.password_file": "secrets/influx.password",
        "web.unix_socket": "run/lactamon.sock",
        "mqtt.password_file": "secrets/mqtt.password",
        "mqtt.tls.ca_file": "tls/ca.crt",
        "mqtt.tls.cert_file": "tls/client.crt",
        "mqtt.tls.key_file": "tls/client.key",
        "modbus[0].device": "dev/ttyRS485",
        "serial[0].device": "dev/ttyRecorder",
    }
    found = every_path(settings)
    for name, relative in expected.items():
        resolved = found[name]
        assert resolved is not None, name
        assert resolved.is_absolute(), name
        assert ".." not in resolved.parts, name
        assert resolved == (folder / relative).resolve(), name


def test_absolute_paths_and_defaults_are_kept(tmp_path: Path, elsewhere: Path) -> None:
    (tmp_path / "c.toml").write_text('[journal]\npath = "/srv/lactamon/journal.sqlite"\n')
    settings = load_settings(tmp_path / "c.toml")
    assert settings.journal.path == Path("/srv/lactamon/journal.sqlite")
    assert settings.signing.key_file == Path("/var/lib/lactamon/device.key")
    # The command line's socket goes beside the journal unless the settings say otherwise.
    assert settings.web.unix_socket == Path("/srv/lactamon/lactamon.sock")


def test_a_secret_file_is_read_beside_the_settings_file(tmp_path: Path, elsewhere: Path) -> None:
    secret = tmp_path / "mqtt.password"
    secret.write_text("hunter2\n")
    secret.chmod(0o600)
    config = tmp_path / "c.toml"
    config.write_text('[mqtt]\nusername = "u"\npassword_file = "mqtt.password"\n')
    settings = load_settings(config)
    assert settings.mqtt is not None
    assert settings.mqtt.password_value() == "hunter2"


def test_a_relative_path_from_the_environment_is_left_to_the_working_directory(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[journal]\npath = "var/journal.sqlite"\n[users]\npath = "var/u.sqlite"\n')
    monkeypatch.setenv("LACTAMON_JOURNAL__PATH", "data/journal.sqlite")
    settings = load_settings(config)
    assert settings.journal.path.absolute() == elsewhere / "data" / "journal.sqlite"
    assert settings.users.path == tmp_path / "var" / "u.sqlite"
