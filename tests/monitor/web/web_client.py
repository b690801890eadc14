"""A browser-like HTTP client of the web pages: a cookie jar, the CSRF token of the last page,
sign-in in one call."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
MESSAGE = re.compile(r'<p class="message">(.*?)</p>', re.DOTALL)
FLASH = re.compile(r'<p class="flash (\w+)"[^>]*>(.*?)</p>', re.DOTALL)


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


class WebClient:
    def __init__(self, base: str, **session: Any) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), **session)
        self.page = ""

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str, **kw: Any) -> aiohttp.ClientResponse:
        response = await self.http.get(self.base + path, **kw)
        self.page = await response.text()
        return response

    async def post(
        self, path: str, data: dict[str, Any], *, token: bool = True, **kw: Any
    ) -> aiohttp.ClientResponse:
        if token:
            data = {"csrf": csrf_of(self.page), **data}
        response = await self.http.post(self.base + path, data=data, **kw)
        self.page = await response.text()
        return response

    async def sign_in(self, username: str, password: str) -> aiohttp.ClientResponse:
        await self.get("/login")
        return await self.post("/login", {"username": username, "password": password})

    def message(self) -> str:
        found = MESSAGE.search(self.page)
        return found.group(1).strip() if found else ""

    def flashes(self) -> list[tuple[str, str]]:
        return FLASH.findall(self.page)
