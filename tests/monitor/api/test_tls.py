"""Beyond loopback the API needs TLS, or plain HTTP chosen in so many words; HTTPS works."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp
import pytest
from pydantic import ValidationError

from config import load_settings
from config.loading import ConfigError
from config.service import WebSettings
from monitor.api.server import ApiServer
from tests.fixtures.tls_certs import make_ca, make_server_certificate
from tests.monitor.api.fakes import FakeService, serving

LAN_HOSTS = ["0.0.0.0", "::", "", "192.168.1.20", "fd00::20", "lactamon.local", "127.0.0.1.example"]


@pytest.mark.parametrize("host", LAN_HOSTS)
def test_a_lan_host_without_tls_is_refused_naming_the_settings(host: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WebSettings(host=host)
    message = str(caught.value)
    assert f"host {host!r} is not loopback" in message
    for name in ("tls_cert_file", "tls_key_file", "allow_plain_http_on_lan = true"):
        assert name in message


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LocalHost"])
def test_loopback_needs_no_tls(host: str) -> None:
    assert WebSettings(host=host).host == host


def test_a_lan_host_with_tls_or_plain_http_chosen_is_accepted(tmp_path: Path) -> None:
    cert, key = tmp_path / "api.crt", tmp_path / "api.key"
    assert WebSettings(host="0.0.0.0", tls_cert_file=cert, tls_key_file=key).tls_cert_file == cert
    assert WebSettings(host="0.0.0.0", allow_plain_http_on_lan=True).allow_plain_http_on_lan


@pytest.mark.parametrize("given", ["tls_cert_file", "tls_key_file"])
def test_a_certificate_and_its_key_come_together(given: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="give both tls_cert_file and tls_key_file"):
        WebSettings.model_validate({given: tmp_path / "x.pem"})


def test_the_settings_file_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "lactamon.toml"
    path.write_text('[web]\nhost = "0.0.0.0"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    (issue,) = caught.value.issues
    assert issue.path == "web"
    assert issue.message.startswith("host '0.0.0.0' is not loopback: the API carries passwords")


def test_plain_http_beyond_loopback_is_told(tmp_path: Path) -> None:
    # The server logs a warning at start for this case (binding 0.0.0.0 here would open
    # the test's API to the network).
    assert WebSettings(host="0.0.0.0", allow_plain_http_on_lan=True).plain_http_beyond_loopback
    assert not WebSettings(host="::1").plain_http_beyond_loopback
    # The command line's socket does not close the TCP port, which still carries passwords.
    assert WebSettings(host="0.0.0.0", unix_socket=tmp_path / "api.sock",
                       allow_plain_http_on_lan=True).plain_http_beyond_loopback  # fmt: skip
    cert, key = tmp_path / "api.crt", tmp_path / "api.key"
    with_tls = WebSettings(host="0.0.0.0", tls_cert_file=cert, tls_key_file=key)
    assert not with_tls.plain_http_beyond_loopback


async def test_https_is_served_with_the_certificate(tmp_path: Path) -> None:
    ca = make_ca(tmp_path)
    server_cert = make_server_certificate(ca, tmp_path)
    settings = WebSettings(host="127.0.0.1", port=0, tls_cert_file=server_cert.cert_file,
                           tls_key_file=server_cert.key_file)  # fmt: skip
    trusted = ssl.create_default_context(cafile=str(ca.cert_file))
    async with serving(settings) as (server, _), aiohttp.ClientSession() as session:
        assert server.url.startswith("https://127.0.0.1:")
        async with session.get(server.url + "/api/health", ssl=trusted) as response:
            assert (response.status, await response.json()) == (200, {"ok": True})
        plain = server.url.replace("https://", "http://", 1)
        with pytest.raises(aiohttp.ClientError):
            async with session.get(plain + "/api/health") as response:
                await response.read()
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            async with session.get(server.url + "/api/health") as response:
                await response.read()


async def test_an_unusable_certificate_stops_the_start_naming_the_files(tmp_path: Path) -> None:
    cert, key = tmp_path / "missing.crt", tmp_path / "missing.key"
    server = ApiServer(WebSettings(port=0, tls_cert_file=cert, tls_key_file=key), FakeService())
    with pytest.raises(OSError, match=f"web.tls_cert_file {cert}, web.tls_key_file {key}: "):
        await server.start()
    await server.stop()
