"""A fake service behind the API and a running server for it: what the HTTP tests talk to."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import SecretStr

from config.service import WebSettings
from monitor.alarms import AlarmError, UnknownAlarm
from monitor.api.limits import HttpLimits
from monitor.api.port import Json
from monitor.api.requests import (
    AckRequest,
    CycleAbortRequest,
    CycleStartRequest,
    LotCreateRequest,
    ShelveRequest,
    UnshelveRequest,
)
from monitor.api.server import ApiServer
from monitor.errors import Refused
from monitor.users import AuthError, NotPermitted, Throttled
from tests.fixtures.api_token import READ_TOKEN


class FakeService:
    def __init__(self) -> None:
        self.acks: list[tuple[str, AckRequest]] = []

    def status(self) -> Json:
        return {"healthy": True}

    def alarms(self, include_normal: bool) -> list[Json]:
        return [{"key": "band:F1", "all": include_normal}]

    async def acknowledge(self, key: str, request: AckRequest) -> Json:
        password = request.password.get_secret_value()
        if key == "ghost":
            raise UnknownAlarm("unknown alarm 'ghost'")
        if request.user == "ines":
            raise NotPermitted("inspector ines may not acknowledge")
        if password == "wrong":
            raise AuthError("wrong user name or password")
        if password == "many":
            raise Throttled("too many failed attempts")
        if key == "done":
            raise AlarmError("alarm done is normal: nothing to acknowledge")
        self.acks.append((key, request))
        return {"acknowledged": key}

    async def shelve(self, key: str, request: ShelveRequest) -> Json:
        return {"shelved": key, "minutes": request.minutes}

    async def unshelve(self, key: str, request: UnshelveRequest) -> Json:
        raise RuntimeError("boom")

    async def start_cycle(self, request: CycleStartRequest) -> Json:
        if request.program == "holder58":
            raise Refused("lot L2026-001: total flora 5e4 CFU/mL > 1e4 allowed by holder58")
        return {"started": request.pasteuriser, "lots": request.lots}

    async def abort_cycle(self, pasteuriser: str, request: CycleAbortRequest) -> Json:
        return {"aborted": pasteuriser}

    async def create_lot(self, request: LotCreateRequest) -> Json:
        return {"lot": request.lot}


@asynccontextmanager
async def serving(
    settings: WebSettings | None = None, limits: HttpLimits | None = None
) -> AsyncIterator[tuple[ApiServer, FakeService]]:
    """An ``ApiServer`` on a free loopback port (or ``settings``) in front of a fake; reads
    over TCP carry ``READ_TOKEN`` (``READ_HEADERS``)."""
    fake = FakeService()
    default = WebSettings(host="127.0.0.1", port=0, read_token=SecretStr(READ_TOKEN))
    server = ApiServer(settings or default, fake,
                       limits or HttpLimits())  # fmt: skip
    await server.start()
    try:
        yield server, fake
    finally:
        await server.stop()


async def connect(server: ApiServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw TCP connection to ``server``, for requests no HTTP client would send."""
    host, port = server.url.split("://", 1)[1].rsplit(":", 1)
    return await asyncio.open_connection(host, int(port))


async def read_answer(reader: asyncio.StreamReader, timeout_s: float = 5.0) -> tuple[int, bytes]:
    """Status and body of one HTTP answer read from ``reader`` (its length given)."""
    async with asyncio.timeout(timeout_s):
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(head.split(b" ", 2)[1]), await reader.readexactly(length)
