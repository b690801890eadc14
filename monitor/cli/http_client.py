"""The CLI's HTTP client of the daemon's local API: one request, a JSON answer or a
``CliError`` saying why.

It goes through the daemon's Unix socket (``web.unix_socket``) when it is there: reads need
no password there. Otherwise it goes over TCP, where reads need the read token
(``web.read_token_file``, when this account may read it).

A daemon with ``web.tls_cert_file`` serves HTTPS; the CLI then trusts that certificate
file and nothing else, since it reads the daemon's own settings: a self-signed certificate
is its own anchor, and a CA-signed one is accepted as a pinned end of the chain
(``VERIFY_X509_PARTIAL_CHAIN``), so no CA file is needed. The host name it checks is the
one it connects to: a daemon listening on every interface is reached on loopback, which its
certificate must then name (127.0.0.1 or ::1).
"""

from __future__ import annotations

import asyncio
import json
import ssl
import stat
from pathlib import Path
from typing import Any

import aiohttp

from config.service import WebSettings
from monitor.cli.errors import CliError

_EVERY_INTERFACE = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def local_socket(settings: WebSettings) -> Path | None:
    """The daemon's Unix socket when it is there to be reached, else None (TCP then)."""
    path = settings.unix_socket
    try:
        return path if path is not None and stat.S_ISSOCK(path.stat().st_mode) else None
    except OSError:  # absent (the daemon is down), or its folder closed to this account
        return None


def base_url(settings: WebSettings) -> str:
    """The daemon's TCP address as the command line reaches it."""
    host = _EVERY_INTERFACE.get(settings.host, settings.host)
    host = f"[{host}]" if ":" in host else host
    scheme = "https" if settings.tls_cert_file is not None else "http"
    return f"{scheme}://{host}:{settings.port}"


def read_token(settings: WebSettings) -> str | None:
    """The read token for TCP, when the settings name one this account may read."""
    try:
        return settings.read_token_value()
    except ValueError:
        return None  # the daemon's own file: the read is refused and says what it needs


def client_tls(settings: WebSettings) -> ssl.SSLContext | None:
    """The context that trusts the daemon's own certificate, or None for plain HTTP."""
    cert = settings.tls_cert_file
    if cert is None:
        return None
    try:
        context = ssl.create_default_context(cafile=str(cert))
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: not a PEM certificate
        raise CliError(
            f"cannot read web.tls_cert_file {cert}, the certificate the daemon serves HTTPS "
            f"with ({exc})"
        ) from None
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def call(settings: WebSettings, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Send one request to the daemon, through its socket when it is there, and return its
    JSON answer."""
    socket = local_socket(settings)
    if socket is not None:
        # The server never puts TLS on its socket file: the host is a formality.
        return asyncio.run(request(socket, "http://localhost", method, path, body))
    tls = client_tls(settings)
    url = base_url(settings)
    token = read_token(settings)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        return asyncio.run(request(None, url, method, path, body, tls, headers))
    except aiohttp.ClientConnectorCertificateError as exc:
        host = url.split("://", 1)[1].rsplit(":", 1)[0]
        raise CliError(
            f"the daemon at {url} presented a certificate that was refused: "
            f"{_why(exc.certificate_error)} (the command line trusts web.tls_cert_file "
            f"{settings.tls_cert_file} only: it must be the certificate the daemon serves, or "
            f"hold its chain, and name {host})"
        ) from None


async def request(
    unix_socket: Path | None,
    url: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    tls: ssl.SSLContext | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    connector = aiohttp.UnixConnector(path=str(unix_socket)) if unix_socket else None
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
            session.request(
                method, url + path, json=body, ssl=tls or True, headers=headers
            ) as response,
        ):
            text = await response.text()
            status = response.status
    except aiohttp.ClientConnectorCertificateError:
        raise  # the caller knows which certificate was trusted
    except aiohttp.ClientSSLError as exc:
        raise CliError(f"no TLS connection with the daemon at {url} ({exc})") from None
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        where = unix_socket or url
        raise CliError(
            f"cannot reach the lactamon daemon at {where}: is it running? ({exc})"
        ) from None
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        raise CliError(f"the daemon answered {status} with non-JSON: {text[:200]!r}") from None
    if status >= 400:
        message = answer.get("error", text) if isinstance(answer, dict) else text
        raise CliError(str(message))
    return answer


def _why(error: Exception) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return str(error.verify_message).rstrip(".")
    return str(error)
