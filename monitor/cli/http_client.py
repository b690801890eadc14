"""The CLI's HTTP client of the daemon's local API: one request, a JSON answer or a
``CliError`` saying why."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp

from config.service import WebSettings
from monitor.cli.errors import CliError


def base_url(settings: WebSettings) -> str:
    return "http://localhost" if settings.unix_socket else f"http://{settings.host}:{settings.port}"


def call(settings: WebSettings, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Send one request to the daemon and return its JSON answer."""
    return asyncio.run(request(settings.unix_socket, base_url(settings), method, path, body))


async def request(
    unix_socket: Path | None, url: str, method: str, path: str, body: dict[str, Any] | None
) -> Any:
    connector = aiohttp.UnixConnector(path=str(unix_socket)) if unix_socket else None
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
            session.request(method, url + path, json=body) as response,
        ):
            text = await response.text()
            status = response.status
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
