"""The CLI's HTTP client of the daemon's local API: one request, a JSON answer or a
``CliError`` saying why.

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
from pathlib import Path
from typing import Any

import aiohttp

from config.service import WebSettings
from monitor.cli.errors import CliError

_EVERY_INTERFACE = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def base_url(settings: WebSettings) -> str:
    if settings.unix_socket:
        return "http://localhost"  # the server never puts TLS on its socket file
    host = _EVERY_INTERFACE.get(settings.host, settings.host)
    host = f"[{host}]" if ":" in host else host
    scheme = "https" if settings.tls_cert_file is not None else "http"
    return f"{scheme}://{host}:{settings.port}"


def client_tls(settings: WebSettings) -> ssl.SSLContext | None:
    """The context that trusts the daemon's own certificate, or None for plain HTTP."""
    cert = settings.tls_cert_file
    if cert is None or settings.unix_socket is not None:
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
    """Send one request to the daemon and return its JSON answer."""
    tls = client_tls(settings)
    url = base_url(settings)
    try:
        return asyncio.run(request(settings.unix_socket, url, method, path, body, tls))
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
) -> Any:
    connector = aiohttp.UnixConnector(path=str(unix_socket)) if unix_socket else None
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
            session.request(method, url + path, json=body, ssl=tls or True) as response,
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
