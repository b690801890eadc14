"""Behind a reverse proxy: the daemon on loopback in plain HTTP, the browser on HTTPS to the
proxy, so the session cookie is Secure all the same; the proxy must be on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.service import WebSettings
from monitor.users import Role
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.web.web_client import WebClient


async def test_the_session_cookie_is_secure_behind_the_proxy(tmp_path: Path) -> None:
    web = {"host": "127.0.0.1", "port": 0, "behind_proxy": True}
    async with quiet_daemon(tmp_path, {"anne": Role.TECHNICIAN}, web=web) as daemon:
        assert daemon.api_url.startswith("http://127.0.0.1:")
        client = WebClient(daemon.api_url)
        try:
            await client.get("/login")
            answer = await client.post(
                "/login", {"username": "anne", "password": PW}, allow_redirects=False
            )
            cookie = next(
                h for h in answer.headers.getall("Set-Cookie") if h.startswith("lactamon_session=")
            )
            assert "Secure" in cookie
        finally:
            await client.close()


def test_a_proxy_reaches_the_daemon_on_loopback_only() -> None:
    with pytest.raises(ValidationError, match="behind_proxy: the proxy reaches the daemon"):
        WebSettings(host="192.168.1.10", behind_proxy=True, allow_plain_http_on_lan=True)
    assert WebSettings(host="::1", behind_proxy=True).behind_proxy
