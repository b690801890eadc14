"""Reads of /api: free through the Unix socket (the command line), over TCP only with the read
token or a web session, loopback included; a change needs its password on the socket too."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

from config.service import WebSettings
from tests.monitor.api.fakes import serving

TOKEN = "the-lab-scripts-token"


async def over_tcp(url: str, path: str, token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.get(url + path, headers=headers) as r:
        return r.status, await r.json()


async def on_socket(sock: Path, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    connector = aiohttp.UnixConnector(path=str(sock))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.request(method, "http://localhost" + path, json=body) as response,
    ):
        return response.status, await response.json()


async def test_tcp_reads_need_the_token_and_the_socket_reads_freely(tmp_path: Path) -> None:
    sock = tmp_path / "run" / "lactamon.sock"
    settings = WebSettings(port=0, unix_socket=sock, read_token=SecretStr(TOKEN))
    async with serving(settings) as (server, fake):
        assert server.unix_socket == sock
        assert stat.S_IMODE(sock.stat().st_mode) == 0o660
        refused, answer = await over_tcp(server.url, "/api/alarms")
        assert refused == 401
        assert "needs a signed-in session or the read token" in answer["error"]
        assert (await over_tcp(server.url, "/api/status", "not-the-token"))[0] == 401
        assert (await over_tcp(server.url, "/api/alarms", TOKEN))[0] == 200
        assert (await over_tcp(server.url, "/api/health"))[0] == 200  # says only "up"
        assert (await on_socket(sock, "GET", "/api/alarms"))[0] == 200
        # A change asks for the password on the socket as anywhere.
        body = {"user": "anne", "password": "wrong", "comment": "door closed"}
        status, _ = await on_socket(sock, "POST", "/api/alarms/a/ack", body)
        assert status == 401
        assert fake.acks == []
    assert not sock.exists()  # the command line then says the daemon is down


async def test_without_a_token_tcp_reads_are_refused_and_a_bad_socket_path_is_no_stop(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the socket's folder should be")
    settings = WebSettings(port=0, unix_socket=blocked / "lactamon.sock")
    async with serving(settings) as (server, _):
        assert server.unix_socket is None
        assert (await over_tcp(server.url, "/api/status"))[0] == 401
        assert (await over_tcp(server.url, "/api/status", "anything"))[0] == 401
