"""The command line reaches a daemon serving HTTPS, trusting only the daemon's certificate.

The API server here is the real one, over TLS with a certificate for 127.0.0.1 signed by a
throw-away CA; the command line is given the settings file the daemon would read, so the
only certificate it knows is the server's own (not the CA's).
"""

from __future__ import annotations

import asyncio
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from pydantic import SecretStr

from config.service import WebSettings
from monitor.api.port import Json
from monitor.api.server import ApiServer
from monitor.cli.errors import CliError
from monitor.cli.http_client import base_url, call
from monitor.cli.main import main
from tests.fixtures.api_token import READ_TOKEN
from tests.fixtures.tls_certs import ServerCertificate, make_ca, make_server_certificate
from tests.monitor.api.fakes import FakeService

ALARM = {"key": "band:F1", "priority": 1, "state": "UNACKED", "raised_ns": 0,
         "message": "F1 above 6 °C", "acknowledged_by": None}  # fmt: skip


class OneAlarm(FakeService):
    def alarms(self, include_normal: bool) -> list[Json]:
        return [ALARM]


def _certificate(tmp_path: Path, name: str) -> ServerCertificate:
    directory = tmp_path / name
    directory.mkdir()
    return make_server_certificate(make_ca(directory, f"{name} CA"), directory)


def _config(tmp_path: Path, port: int, cert: ServerCertificate, host: str = "127.0.0.1") -> Path:
    config = tmp_path / "lactamon.toml"
    files = f'tls_cert_file = "{cert.cert_file}"\ntls_key_file = "{cert.key_file}"\n'
    files += f'read_token = "{READ_TOKEN}"\n'  # reads over TCP carry it
    config.write_text(f'[web]\nhost = "{host}"\nport = {port}\n{files}')
    return config


def _lactamon(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


async def _alarms_from(tmp_path: Path, served: ServerCertificate, told: ServerCertificate,
                       host: str = "127.0.0.1") -> tuple[int, str, str, int]:  # fmt: skip
    """``lactamon alarms`` against a server with ``served``, its settings naming ``told``."""
    settings = WebSettings(host=host, port=0, tls_cert_file=served.cert_file,
                           tls_key_file=served.key_file,
                           read_token=SecretStr(READ_TOKEN))  # fmt: skip
    server = ApiServer(settings, OneAlarm())
    await server.start()
    try:
        port = int(server.url.rsplit(":", 1)[1])
        config = _config(tmp_path, port, told, host)
        code, out, err = await asyncio.to_thread(_lactamon, "alarms", "--config", str(config))
    finally:
        await server.stop()
    return code, out, err, port


async def test_the_cli_reads_alarms_over_https(tmp_path: Path) -> None:
    cert = _certificate(tmp_path, "daemon")
    code, out, err, _ = await _alarms_from(tmp_path, cert, cert)
    assert (code, err) == (0, "")
    assert "band:F1" in out
    assert "F1 above 6 °C" in out


async def test_another_certificate_is_refused_saying_why(tmp_path: Path) -> None:
    served, told = _certificate(tmp_path, "daemon"), _certificate(tmp_path, "impostor")
    code, out, err, port = await _alarms_from(tmp_path, served, told)
    assert (code, out) == (1, "")
    assert err.startswith(
        f"lactamon alarms: the daemon at https://127.0.0.1:{port} presented a certificate "
        f"that was refused: unable to get local issuer certificate"
    ), err
    assert str(told.cert_file) in err
    assert "Traceback" not in err


async def test_a_certificate_that_does_not_name_the_host_is_refused(tmp_path: Path) -> None:
    cert = _certificate(tmp_path, "daemon")  # for 127.0.0.1 and localhost only
    code, out, err, port = await _alarms_from(tmp_path, cert, cert, host="127.0.0.2")
    assert (code, out) == (1, "")
    assert err.startswith(
        f"lactamon alarms: the daemon at https://127.0.0.2:{port} presented a certificate "
        "that was refused: IP address mismatch, certificate is not valid for '127.0.0.2'"
    ), err


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "https://127.0.0.1:8470"),
        ("", "https://127.0.0.1:8470"),
        ("::", "https://[::1]:8470"),
        ("::1", "https://[::1]:8470"),
        ("127.0.0.1", "https://127.0.0.1:8470"),
        ("lactamon.local", "https://lactamon.local:8470"),
    ],
)
def test_a_daemon_on_every_interface_is_reached_on_loopback(host: str, url: str) -> None:
    cert, key = Path("api.crt"), Path("api.key")
    assert base_url(WebSettings(host=host, tls_cert_file=cert, tls_key_file=key)) == url


def test_plain_http_stays_plain(tmp_path: Path) -> None:
    assert base_url(WebSettings(host="127.0.0.1", port=9000)) == "http://127.0.0.1:9000"
    lan = WebSettings(host="0.0.0.0", port=9000, allow_plain_http_on_lan=True)
    assert base_url(lan) == "http://127.0.0.1:9000"
    # The socket is a second way in, not instead of TCP.
    assert base_url(WebSettings(unix_socket=tmp_path / "api.sock")) == "http://127.0.0.1:8470"


def test_an_unreadable_certificate_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.crt"
    settings = WebSettings(port=1, tls_cert_file=missing, tls_key_file=tmp_path / "missing.key")
    with pytest.raises(CliError, match=f"cannot read web.tls_cert_file {missing}"):
        call(settings, "GET", "/api/alarms")
