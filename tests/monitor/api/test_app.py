"""The API over real HTTP against a fake service: routing, validation and error mapping."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from config.service import WebSettings
from monitor.api.server import ApiServer
from tests.fixtures.api_token import READ_HEADERS
from tests.monitor.api.fakes import FakeService, serving


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[str, FakeService]]:
    async with serving() as (server, fake):
        yield server.url, fake


async def send(
    url: str, method: str, path: str, body: Any = None, raw: bytes | None = None
) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        kwargs: dict[str, Any] = {"data": raw} if raw is not None else {"json": body}
        async with session.request(method, url + path, headers=READ_HEADERS, **kwargs) as response:
            return response.status, await response.json()


GOOD = {"user": "anne", "password": "pw", "comment": "door closed"}


async def test_ack_reaches_the_service(api: tuple[str, FakeService]) -> None:
    url, fake = api
    assert await send(url, "POST", "/api/alarms/band:F1/ack", GOOD) == (
        200,
        {"acknowledged": "band:F1"},
    )
    assert fake.acks[0][1].comment == "door closed"


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/alarms/ghost/ack", GOOD, 404, "unknown alarm 'ghost'"),
        ("/api/alarms/a/ack", {**GOOD, "user": "ines"}, 403, "inspector ines may not"),
        ("/api/alarms/a/ack", {**GOOD, "password": "wrong"}, 401, "wrong user name"),
        ("/api/alarms/a/ack", {**GOOD, "password": "many"}, 429, "too many failed"),
        ("/api/alarms/done/ack", GOOD, 409, "nothing to acknowledge"),
        ("/api/alarms/a/ack", {"user": "anne", "password": "pw"}, 400, "comment: Field required"),
        ("/api/alarms/a/ack", {**GOOD, "extra": 1}, 400, "extra: Extra inputs"),
        ("/api/alarms/a/ack", [1, 2], 400, "must be a JSON object"),
        ("/api/alarms/a/shelve", {**GOOD, "minutes": -5}, 400, "minutes: Input should be greater"),
        ("/api/alarms/a/unshelve", {"user": "a", "password": "p"}, 500, "internal error"),
        (
            "/api/cycles",
            {"user": "a", "password": "p", "pasteuriser": "P1", "lots": [], "program": "holder63"},
            400,
            "lots",
        ),
        (
            "/api/cycles",
            {
                "user": "a",
                "password": "p",
                "pasteuriser": "P1",
                "lots": ["L1"],
                "program": "holder58",
            },
            409,
            "5e4 CFU/mL",
        ),
        ("/api/nowhere", GOOD, 404, "Not Found"),
    ],
)
async def test_bad_requests_get_clear_errors(
    api: tuple[str, FakeService], path: str, body: Any, status: int, message: str
) -> None:
    url, fake = api
    got_status, answer = await send(url, "POST", path, body)
    assert got_status == status
    assert message in answer["error"]
    assert fake.acks == []


async def test_malformed_json(api: tuple[str, FakeService]) -> None:
    url, _ = api
    status, answer = await send(url, "POST", "/api/alarms/a/ack", raw=b"{not json")
    assert status == 400
    assert answer["error"].startswith("malformed JSON")


async def test_reads(api: tuple[str, FakeService]) -> None:
    url, _ = api
    assert await send(url, "GET", "/api/status") == (200, {"healthy": True})
    assert await send(url, "GET", "/api/alarms?all=1") == (
        200,
        {"alarms": [{"key": "band:F1", "all": True}]},
    )


async def test_unix_socket(tmp_path: Path) -> None:
    sock = tmp_path / "run" / "api.sock"
    server = ApiServer(WebSettings(unix_socket=sock), FakeService())
    await server.start()
    try:
        connector = aiohttp.UnixConnector(path=str(sock))
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get("http://localhost/api/health") as response,
        ):
            assert await response.json() == {"ok": True}
    finally:
        await server.stop()
