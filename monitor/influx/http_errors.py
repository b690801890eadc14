"""HTTP statuses and transport failures as ``InfluxError``s with a message people can act on."""

from __future__ import annotations

import json
from typing import TypeVar

import aiohttp

from monitor.influx.errors import FailureKind, InfluxError

E = TypeVar("E", bound=InfluxError)

_MAX_SERVER_TEXT = 500


def server_text(body: bytes | str) -> str:
    """The server's error text: the ``error`` (1.x) or ``message`` (2.x) of a JSON body, else
    the body itself, shortened."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        loaded = json.loads(text)
    except ValueError:
        loaded = None
    if isinstance(loaded, dict):
        for key in ("error", "message"):
            if isinstance(loaded.get(key), str):
                text = loaded[key]
                break
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SERVER_TEXT else text[: _MAX_SERVER_TEXT - 3] + "..."


def status_error(
    error: type[E], status: int, body: bytes | str, *, what: str, credentials: str
) -> E:
    """The error for a non-success answer ``status`` to ``what`` (e.g. "write to http://…");
    ``credentials`` says who asked (``user 'bob'``, ``the configured token``), never a secret."""
    said = server_text(body)
    tail = f": {said}" if said else ""
    if status in (401, 403):
        problem = "authentication failed" if status == 401 else "permission denied"
        return error(
            f"{what}: {problem} (HTTP {status}) for {credentials}{tail}; check the user, "
            "password or token in [influxdb] and the permissions on the server",
            kind=FailureKind.AUTH,
            retryable=False,
            status=status,
            server_message=said,
        )
    if status == 404:
        return error(
            f"{what}: not found (HTTP 404){tail}; check the database or bucket name, and the "
            'API version (api = "v1" for InfluxDB 1.x, "v2" for 2.x, 3.x and 1.8+)',
            kind=FailureKind.NOT_FOUND,
            retryable=False,
            status=status,
            server_message=said,
        )
    if status == 413:
        return error(
            f"{what}: the request is too large for the server (HTTP 413){tail}",
            kind=FailureKind.TOO_LARGE,
            retryable=False,
            status=status,
            server_message=said,
        )
    if status == 429 or status == 408 or status >= 500:
        return error(
            f"{what}: the server is unavailable or overloaded (HTTP {status}){tail}",
            kind=FailureKind.SERVER,
            retryable=True,
            status=status,
            server_message=said,
        )
    if 400 <= status < 500:
        return error(
            f"{what}: refused by the server (HTTP {status}){tail}",
            kind=FailureKind.REJECTED,
            retryable=False,
            status=status,
            server_message=said,
        )
    return error(
        f"{what}: unexpected answer HTTP {status}{tail} (is this an InfluxDB server?)",
        kind=FailureKind.RESPONSE,
        retryable=False,
        status=status,
        server_message=said,
    )


def transport_error(error: type[E], exc: BaseException, *, what: str) -> E:
    """The error for a failure below HTTP: no connection, a timeout, a broken answer."""
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return error(
            f"{what}: no answer in time (timeout)", kind=FailureKind.TIMEOUT, retryable=True
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return error(
            f"{what}: cannot connect ({exc.os_error.strerror or exc.os_error})",
            kind=FailureKind.CONNECTION,
            retryable=True,
        )
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return error(
            f"{what}: the answer is not valid HTTP ({exc})",
            kind=FailureKind.RESPONSE,
            retryable=True,
        )
    return error(
        f"{what}: connection failed ({type(exc).__name__}: {exc})",
        kind=FailureKind.CONNECTION,
        retryable=True,
    )
