"""``lactamon config check`` on files that are wrong in odd ways: a message, never a traceback.

Each bad file must exit 2 with a message naming the key at fault, and a secret file that
``lactamon run`` would refuse for its permissions must be refused by the check too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.cli.main import main

ENCLOSURE = '[[enclosures]]\nid = "F1"\nprobes = ["x"]\n'
MODBUS_PROBE = (
    '[[modbus]]\nkind = "tcp"\nid = "bus"\nhost = "127.0.0.1"\n'
    '[[probes]]\nid = "P1"\n'
    'source = { kind = "modbus", bus = "bus", unit_id = 1, address = 0, encoding = %s }\n'
)
MQTT = '[mqtt]\nusername = "lactamon"\npassword_file = "secret"\n'

BAD_FILES = [
    pytest.param(ENCLOSURE + "kind = {}\n", "enclosures[0].kind", id="kind-table"),
    pytest.param(ENCLOSURE + "kind = []\n", "enclosures[0].kind", id="kind-array"),
    pytest.param(ENCLOSURE + 'kind = ["fridge"]\n', "enclosures[0].kind", id="kind-in-array"),
    pytest.param(ENCLOSURE + "kind = { a = 1 }\n", "enclosures[0].kind", id="kind-inline-table"),
    pytest.param(MODBUS_PROBE % "{}", "probes[0].source.encoding", id="encoding-table"),
    pytest.param(MODBUS_PROBE % "[]", "probes[0].source.encoding", id="encoding-array"),
    pytest.param(
        '[[probes]]\nid = "P1"\nsource = { kind = "mqtt", topic = "t", format = {} }\n',
        "probes[0].source.format",
        id="format-table",
    ),
    pytest.param('[site]\nid = "demo"\ntimezone = {}\n', "site.timezone", id="timezone-table"),
]


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["config", "check", str(path)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("text", "key"), BAD_FILES)
def test_a_bad_file_names_its_key_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, err = check(path, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    assert f"  {key}: " in err, err


# What tomllib cannot read has no key to name yet: the line, as for any TOML syntax error.
UNREADABLE_FILES = [
    pytest.param(
        "[site]\nname = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply", id="deep-arrays"
    ),
    pytest.param(
        "[site]\nname = " + "{a = " * 500 + "1" + "}" * 500 + "\n",
        "nested too deeply",
        id="deep-tables",
    ),
    pytest.param(
        "[web]\nport = 1" + "0" * 5000 + "\n",
        "an integer of more than 4300 digits",
        id="huge-integer",
    ),
]


@pytest.mark.parametrize(("text", "message"), UNREADABLE_FILES)
def test_a_file_tomllib_cannot_read_names_its_line_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, err = check(path, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    assert f"not valid TOML: {message}" in err, err
    assert "(at line 2)" in err, err


def _secret(folder: Path, name: str, mode: int) -> Path:
    path = folder / name
    path.write_text("hunter2\n")
    path.chmod(mode)
    return path


# The secret files `lactamon run` reads, and the settings that name them.
SECRETS = [
    pytest.param(MQTT, "secret", "mqtt.password_file", id="mqtt-password"),
    pytest.param('[signing]\nkey_file = "secret"\n', "secret", "signing.key_file", id="key"),
    pytest.param(
        '[influxdb]\nenabled = true\napi = "v2"\ntoken_file = "secret"\n',
        "secret",
        "influxdb.token_file",
        id="influx-token",
    ),
    pytest.param(
        '[influxdb]\nenabled = true\nusername = "u"\npassword_file = "secret"\n',
        "secret",
        "influxdb.password_file",
        id="influx-password",
    ),
]

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604], ids=["0644", "0640", "0604"])
@pytest.mark.parametrize(("text", "name", "key"), SECRETS)
def test_a_secret_file_open_to_others_is_refused_as_run_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, name: str, key: str, mode: int
) -> None:
    _secret(tmp_path, name, mode)
    path = tmp_path / "lactamon.toml"
    path.write_text(text)
    code, err = check(path, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    assert f"  {key}: " in err, err
    assert "readable by group or others" in err
    assert f"mode {mode:04o}" in err


@posix_only
@pytest.mark.parametrize(("text", "name", "key"), SECRETS)
def test_a_secret_file_of_its_owner_only_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, name: str, key: str
) -> None:
    _secret(tmp_path, name, 0o600)
    path = tmp_path / "lactamon.toml"
    path.write_text(text)
    code, err = check(path, capsys)
    assert code == 0, err
    assert key not in err


@posix_only
def test_a_secret_run_does_not_read_is_only_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Influx is off: `lactamon run` never opens the token file, so it cannot refuse it.
    _secret(tmp_path, "token", 0o644)
    (tmp_path / "cert.pem").write_text("not read by the check\n")
    _secret(tmp_path, "web.key", 0o644)
    path = tmp_path / "lactamon.toml"
    path.write_text(
        '[influxdb]\napi = "v2"\ntoken_file = "token"\n'
        '[web]\ntls_cert_file = "cert.pem"\ntls_key_file = "web.key"\n'
    )
    assert main(["config", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: influxdb.token_file" in out
    assert "warning: web.tls_key_file" in out


def test_a_missing_secret_file_is_left_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The example settings name /etc and /var/lib files that exist only on the device.
    path = tmp_path / "lactamon.toml"
    path.write_text(MQTT)
    code, err = check(path, capsys)
    assert code == 0, err
