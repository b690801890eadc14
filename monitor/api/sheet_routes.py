"""The daily sheets' routes of the local API.

- ``GET /api/sheets?enclosure=F1&month=2026-11``: the month's sheets and its review;
- ``GET /api/sheets/{enclosure}/{day}``: one sheet;
- ``POST /api/sheets/{enclosure}/{day}/sign``: a signature (``SheetSignRequest``);
- ``POST /api/sheets/{enclosure}/{month}/review``: the month's review (``SheetReviewRequest``).

Errors are those of ``monitor.api.app``: a malformed day or month is a 400, an unknown
enclosure or day a 404, a sheet that may not take the act a 409, a role that may not a 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from aiohttp import web

from monitor.api import body
from monitor.api.limits import HttpLimits
from monitor.api.sheet_requests import SheetReviewRequest, SheetSignRequest
from monitor.sheets.days import BadDay

Json = dict[str, Any]
T = TypeVar("T")


class SheetPort(Protocol):
    """What the routes need of the service's sheets (``SheetDesk``)."""

    async def sheet(self, enclosure: str, day: str) -> Json: ...

    async def month(self, enclosure: str, month: str) -> Json: ...

    async def sign(self, enclosure: str, day: str, request: SheetSignRequest) -> Json: ...

    async def review(self, enclosure: str, month: str, request: SheetReviewRequest) -> Json: ...


def add_sheet_routes(app: web.Application, port: object, limits: HttpLimits) -> None:
    """Register the routes; ``port.sheets`` is looked up at each request, so a service
    without daily sheets answers 404 rather than failing to start."""

    def sheets() -> SheetPort:
        found: SheetPort | None = getattr(port, "sheets", None)
        if found is None:
            raise web.HTTPNotFound(reason="this service keeps no daily sheets")
        return found

    async def month(request: web.Request) -> web.Response:
        enclosure, month = request.query.get("enclosure"), request.query.get("month")
        if not enclosure or not month:
            raise web.HTTPBadRequest(reason="give the enclosure and the month: "
                                     "?enclosure=F1&month=2026-11")  # fmt: skip
        return web.json_response(await _day_checked(sheets().month(enclosure, month)))

    async def sheet(request: web.Request) -> web.Response:
        enclosure, day = request.match_info["enclosure"], request.match_info["day"]
        return web.json_response(await _day_checked(sheets().sheet(enclosure, day)))

    async def sign(request: web.Request) -> web.Response:
        signing = await body.parse(request, SheetSignRequest, limits.body_s)
        enclosure, day = request.match_info["enclosure"], request.match_info["day"]
        answer = await _day_checked(sheets().sign(enclosure, day, signing))
        return web.json_response(answer, status=201)

    async def review(request: web.Request) -> web.Response:
        reviewing = await body.parse(request, SheetReviewRequest, limits.body_s)
        enclosure, month = request.match_info["enclosure"], request.match_info["month"]
        answer = await _day_checked(sheets().review(enclosure, month, reviewing))
        return web.json_response(answer, status=201)

    routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.Response]]]] = [
        ("GET", "/api/sheets", month),
        ("GET", "/api/sheets/{enclosure}/{day}", sheet),
        ("POST", "/api/sheets/{enclosure}/{day}/sign", sign),
        ("POST", "/api/sheets/{enclosure}/{month}/review", review),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)


async def _day_checked(answer: Awaitable[T]) -> T:
    """A malformed day or month is the request's fault: a 400 that says what to write."""
    try:
        return await answer
    except BadDay as exc:
        raise web.HTTPBadRequest(reason=str(exc)) from None
